import ExfilWatchFramer
import Testing

@Suite("LineFramer examples")
struct LineFramerTests {
  @Test("lines spanning chunks, CRLF split between chunks, positions")
  func spanningChunks() throws {
    var framer = LineFramer()
    var handler = CollectingHandler()
    for chunk in ["{\"a\":1}\n{\"b", "\":2}\r", "\n\n{\"c\":3}\n{\"d"] {
      try Array(chunk.utf8).withUnsafeBytes { try framer.feed($0, into: &handler) }
    }
    #expect(handler.lines.map(\.description) == [
      #"1@0:7:"{\"a\":1}""#, #"2@8:7:"{\"b\":2}""#, #"3@17:0:"""#, #"4@18:7:"{\"c\":3}""#,
    ])
    #expect(framer.hasPartialLine)
    try framer.finish(into: &handler)
    #expect(handler.lines.last?.description == #"5@26:3:"{\"d""#)
    #expect(!framer.hasPartialLine)
  }

  @Test("an overlong line across many chunks is skipped with its length; the next line is kept")
  func overlongAcrossChunks() throws {
    let long = [UInt8](repeating: 0x78, count: 100)
    let text = Array("ok\n".utf8) + long + [0x0D, 0x0A] + Array("after\n".utf8)
    let lines = try frame(text, chunkSizes: [7], maxLineLength: 10)
    #expect(lines.map(\.description) == ["1@0:2:\"ok\"", "2@3:100:<overlong>", "3@105:5:\"after\""])
  }

  @Test("a line of exactly the limit is kept, with or without CR; one byte more is not")
  func limitBoundary() throws {
    let exact = [UInt8](repeating: 0x61, count: 8)
    for ending: [UInt8] in [[0x0A], [0x0D, 0x0A]] {
      for chunk in [1, 3, 100] {
        let kept = try frame(exact + ending, chunkSizes: [chunk], maxLineLength: 8)
        #expect(kept.first?.bytes == exact, "chunk \(chunk)")
        let over = try frame(exact + [0x61] + ending, chunkSizes: [chunk], maxLineLength: 8)
        #expect(over.first?.bytes == nil && over.first?.length == 9, "chunk \(chunk)")
      }
    }
  }
}
