import ExfilWatchEvent
import ExfilWatchParser
import Testing

/// A crafted user name megabytes long must not be kept, keyed and printed whole (issue 9).
@Suite struct ValueLengthTests {
  func record(second: Int, user: String) -> String {
    #"{"attributes":{"type":"ApiEvent"},"EventDate":"2025-06-30T10:00:0\#(second).000+0000","#
      + #""Operation":"Query","QueriedEntities":"Contact","RowsProcessed":5.0,"SessionKey":"k1","#
      + #""Username":"\#(user)","SourceIp":"203.0.113.9","Client":"Data Loader"}"#
  }

  @Test func longValuesAreCutWithAHashOfTheWhole() throws {
    // Two names sharing their first 5,000 bytes, one of them twice, and a name whose cut
    // falls inside a three-byte character.
    let shared = String(repeating: "a", count: 5_000)
    let accented = String(repeating: "b", count: 63) + String(repeating: "€", count: 40)
    let users = [shared + "1@example.com", shared + "2@example.com", shared + "1@example.com", accented, "short@example.com"]
    let text = users.enumerated().map { record(second: $0.offset, user: $0.element) }.joined(separator: "\n")
    let symbols = SymbolTable()
    var options = ParserOptions()
    options.maxValueLength = 64
    let parsed = try parseEvents(Array(text.utf8), format: .fixed(.salesforceRTEM), symbols: symbols, options: options)
    let names = parsed.events.map { symbols.string($0.actor) ?? "" }
    #expect(names.count == 5)
    #expect(names[0] != names[1], "a shared beginning does not merge two users")
    #expect(names[0] == names[2])
    #expect(names[4] == "short@example.com")
    for name in names.prefix(4) {
      #expect(name.utf8.count <= 64 + "…#12345678".utf8.count)
      #expect(name.contains("…#"))
    }
    #expect(names[3].hasPrefix(String(repeating: "b", count: 63)), "cut before the character, not inside it")
    #expect(!names[3].contains("\u{FFFD}"))
    #expect(parsed.summary.shortenedValues == 4)
    #expect(parsed.summary.events == 5)
  }
}
