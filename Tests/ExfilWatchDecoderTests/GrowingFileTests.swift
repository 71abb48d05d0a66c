import ExfilWatchDecoder
import ExfilWatchSource
import ExfilWatchTestSupport
import Foundation
import Testing

/// `poll()` on a real file that is appended to while it is being read: an unfinished frame or
/// member means "wait", and decoding resumes when the rest arrives.
@Suite("polling a file that grows")
struct GrowingFileTests {
  @Test("appended in pieces, frames and members split anywhere", arguments: [
    ("zstd", ["-q", "-3"]), ("gzip", ["-n"]),
  ])
  func appendedPieces(tool: String, arguments: [String]) throws {
    let directory = try TemporaryDirectory()
    let parts = (0..<3).map { sampleAuditLines(count: 2_000, seed: UInt64(20 + $0)) }
    let compressed = try parts.flatMap { try compress(tool, arguments, $0) }
    let path = directory.path("growing")
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? writer.close() }

    let decoder = StreamDecoder(source: try FileByteSource(path: path))
    var decoded: [UInt8] = []
    var sawUnfinished = false
    var written = 0
    var random = SeededGenerator(seed: 5)
    while written < compressed.count {
      let piece = min(compressed.count - written, 1 + Int(random.next() % 9_000))
      try writer.write(contentsOf: compressed[written..<written + piece])
      written += piece
      pollLoop: while true {
        switch try decoder.poll() {
        case .data(let chunk): decoded += chunk
        case .unfinishedUnit: sawUnfinished = true; break pollLoop
        case .endOfInput: break pollLoop
        }
      }
    }
    #expect(sawUnfinished, "some piece must have ended inside a frame or member")
    #expect(decoded == parts.flatMap { $0 })
    #expect(try decoder.nextChunk() == nil, "the finished file ends cleanly")
    #expect(decoder.compressedOffset == Int64(compressed.count))
    #expect(decoder.unitOffset == Int64(compressed.count))
  }
}
