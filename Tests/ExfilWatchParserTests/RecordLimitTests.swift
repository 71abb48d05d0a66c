import ExfilWatchEvent
import ExfilWatchParser
import Testing

/// Records built to cost: a crafted user name megabytes long must not be keyed and compared
/// whole, nor a record of a hundred thousand fields be taken apart (issue 9).
@Suite struct RecordLimitTests {
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
    // The key's text (the symbol's bytes) is cut; the text findings show is the whole value.
    let names = parsed.events.map { event in symbols.withBytes(event.actor) { String(decoding: $0, as: UTF8.self) } }
    #expect(parsed.events.map { symbols.string($0.actor) } == users, "findings name the whole values")
    #expect(names.count == 5)
    #expect(names[0] != names[1], "a shared beginning does not merge two users")
    #expect(names[0] == names[2])
    #expect(names[4] == "short@example.com")
    for name in names.prefix(4) {
      #expect(name.utf8.count <= 64 + "…#0123456789abcdef".utf8.count)
      #expect(name.contains("…#"))
    }
    #expect(names[3].hasPrefix(String(repeating: "b", count: 63)), "cut before the character, not inside it")
    #expect(!names[3].contains("\u{FFFD}"))
    #expect(parsed.summary.shortenedValues == 4)
    #expect(parsed.summary.events == 5)
  }

  @Test func recordsWithMoreFieldsThanTheLimitAreRejected() throws {
    var options = ParserOptions()
    options.maxFields = 50
    let symbols = SymbolTable()
    // JSON: a record padded with 60 members, one with an array of 60 elements, and a normal one.
    let padding = (0..<60).map { #""x\#($0)":1"# }.joined(separator: ",")
    let array = "[" + (0..<60).map(String.init).joined(separator: ",") + "]"
    let json = [
      record(second: 1, user: "a@example.com").dropLast() + "," + padding + "}",
      record(second: 2, user: "b@example.com").dropLast() + #","Extra":\#(array)}"#,
      record(second: 3, user: "c@example.com"),
    ].joined(separator: "\n")
    let parsedJSON = try parseEvents(Array(json.utf8), format: .fixed(.salesforceRTEM), symbols: symbols, options: options)
    #expect(parsedJSON.rejects.map(\.reason) == [.tooManyFields, .tooManyFields])
    #expect(parsedJSON.rejects.map(\.line) == [1, 2])
    #expect(parsedJSON.events.count == 1)

    // CSV: a header of 6 columns, a row of 80 columns, then a good row.
    let csv = [
      "EVENT_TYPE,TIMESTAMP_DERIVED,USER_NAME,ROWS_PROCESSED,CLIENT_IP,ENTITY_NAME",
      Array(repeating: "x", count: 80).joined(separator: ","),
      "API,2025-06-30T10:00:00.000Z,u@example.com,5,203.0.113.9,Contact",
    ].joined(separator: "\n")
    let parsedCSV = try parseEvents(Array(csv.utf8), format: .fixed(.salesforceELF), symbols: symbols, options: options)
    #expect(parsedCSV.rejects.map(\.reason) == [.tooManyFields])
    #expect(parsedCSV.rejects.map(\.line) == [2])
    #expect(parsedCSV.events.count == 1)
  }

  @Test func aLimitSetTooLowIsNamedInsteadOfAWrongFormat() throws {
    var options = ParserOptions()
    options.maxFields = 5
    let text = (0..<25).map { record(second: $0 % 10, user: "u\($0)@example.com") }.joined(separator: "\n")
    let error = #expect(throws: ParseError.self) {
      try parseEvents(Array(text.utf8), format: .fixed(.salesforceRTEM), symbols: SymbolTable(), options: options)
    }
    #expect(error?.description.contains("more fields than --max-fields allows (raise it if this input is sf-rtem)") == true, "\(String(describing: error))")
  }
}
