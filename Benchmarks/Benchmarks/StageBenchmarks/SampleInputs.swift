import ExfilWatchDecoder
import ExfilWatchSource
import Foundation

/// The inputs of the stage benchmarks, made in memory from the repository's samples before any
/// measurement starts.
///
/// Samples are found from this file's own path, so the suite runs from any working directory
/// (`swift package --package-path Benchmarks benchmark` from the repository root, or `cd
/// Benchmarks` first). They are small (a few thousand lines), so each is repeated up to
/// `targetBytes`: large enough that a stage's per-input costs (buffers, tables) vanish next to
/// its per-record costs, small enough that the input stays in memory beside the stage.
enum SampleInputs {
  /// The decoded size every repeated input reaches (64 MiB).
  static let targetBytes = 64 << 20

  /// The repository root: this file is `Benchmarks/Benchmarks/StageBenchmarks/SampleInputs.swift`.
  static let repositoryRoot: String = {
    var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(4)
    return components.joined(separator: "/")
  }()

  /// `relativePath` (from the repository root) made absolute.
  static func path(_ relativePath: String) -> String {
    "\(repositoryRoot)/\(relativePath)"
  }

  /// The decoded contents of a sample (zstd, gzip or plain, recognised by the Decoder stage),
  /// ending with a newline so copies of it can be laid end to end.
  static func decoded(_ relativePath: String) throws -> [UInt8] {
    let decoder = StreamDecoder(source: try FileByteSource(path: path(relativePath)))
    var bytes: [UInt8] = []
    while let chunk = try decoder.nextChunk() {
      bytes.append(contentsOf: chunk)
    }
    if let last = bytes.last, last != UInt8(ascii: "\n") {
      bytes.append(UInt8(ascii: "\n"))
    }
    return bytes
  }

  /// A sample decoded and repeated to at least `targetBytes`. A CSV sample keeps its header
  /// row once, at the top, as one long export would.
  static func repeated(_ relativePath: String, hasHeader: Bool = false) throws -> [UInt8] {
    let sample = try decoded(relativePath)
    var header: ArraySlice<UInt8> = []
    var body = sample[...]
    if hasHeader, let newline = sample.firstIndex(of: UInt8(ascii: "\n")) {
      header = sample[...newline]
      body = sample[(newline + 1)...]
    }
    precondition(!body.isEmpty, "\(relativePath): empty sample")
    var input = Array(header)
    input.reserveCapacity(header.count + targetBytes + body.count)
    while input.count < targetBytes {
      input.append(contentsOf: body)
    }
    return input
  }

  /// `bytes` compressed by a command-line compressor reading standard input (`zstd -3 -c`,
  /// `gzip -6 -c`), as an archive on disk would have been made.
  ///
  /// The command's input and output go through temporary files, not pipes, so a compressor
  /// that writes before it has read everything cannot block.
  static func compressed(_ bytes: [UInt8], command: [String]) throws -> [UInt8] {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("exfilwatch-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let plain = directory.appendingPathComponent("plain")
    let packed = directory.appendingPathComponent("packed")
    try Data(bytes).write(to: plain)
    _ = FileManager.default.createFile(atPath: packed.path, contents: nil)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    process.standardInput = try FileHandle(forReadingFrom: plain)
    process.standardOutput = try FileHandle(forWritingTo: packed)
    try process.run()
    process.waitUntilExit()
    guard process.terminationReason == .exit, process.terminationStatus == 0 else {
      throw CompressionFailure(command: command, status: process.terminationStatus)
    }
    return Array(try Data(contentsOf: packed))
  }
}

/// A compressor command that did not succeed (not installed, or failed).
struct CompressionFailure: Error, CustomStringConvertible {
  var command: [String]
  var status: Int32

  var description: String {
    "`\(command.joined(separator: " "))` exited with status \(status) (is it installed?)"
  }
}

/// Hands `input` to `body` in pieces of the Decoder stage's chunk size, so the stages after it
/// see the same chunk boundaries (and lines spanning them) as in a real run.
func forEachDecodedChunk(
  of input: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Void
) rethrows {
  let chunkSize = DecoderOptions().outputBufferBytes
  try input.withUnsafeBytes { all in
    var start = 0
    while start < all.count {
      let end = min(start + chunkSize, all.count)
      try body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
      start = end
    }
  }
}
