import Foundation
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchTestSupport
import Testing

@Suite("Parser stage behaviour")
struct ParserBehaviourTests {
  @Test("QueryMore pages with running totals, or repeating the total, add up to the rows once")
  func queryPagesCountedOnce() throws {
    func page(_ operation: String, _ rows: Int, second: Int) -> String {
      #"{"attributes":{"type":"ApiEvent"},"EventDate":"2025-06-30T10:00:0\#(second).000+0000","#
        + #""Operation":"\#(operation)","Query":"SELECT Id FROM Contact","SessionKey":"k1","#
        + #""RowsProcessed":\#(rows).0,"Username":"u@example.com"}"#
    }
    let running = [page("Query", 2000, second: 0), page("QueryMore", 4000, second: 1),
                   page("QueryMore", 6000, second: 2), page("QueryMore", 6500, second: 3)]
    let repeating = [page("Query", 6500, second: 4), page("QueryMore", 6500, second: 5),
                     page("QueryMore", 6500, second: 6)]
    let text = Array((running + repeating).joined(separator: "\n").utf8)
    let parsed = try parseEvents(text, format: .fixed(.salesforceRTEM), symbols: SymbolTable())
    #expect(parsed.events.map(\.records) == [2000, 2000, 2000, 500, 6500, 0, 0])
    #expect(parsed.events.allSatisfy { $0.isRead && $0.action == .query })
  }

  @Test("sf-rtem: the deepest envelope holding a payload field is the event, whichever are present, empty or not objects")
  func rtemEnvelopes() throws {
    let records = [
      #"{"EventDate":"2025-06-20T00:00:00Z","Username":"bare"}"#,
      #"{"payload":{"EventDate":"2025-06-20T00:00:01Z","Username":"payload"}}"#,
      #"{"payload":{},"EventDate":"2025-06-20T00:00:02Z","Username":"empty payload"}"#,
      #"{"payload":null,"EventDate":"2025-06-20T00:00:03Z","Username":"null payload"}"#,
      #"{"payload":{"Other":1},"EventDate":"2025-06-20T00:00:04Z","Username":"no payload field"}"#,
      #"{"data":{"payload":{"EventDate":"2025-06-20T00:00:05Z","Username":"data.payload"}}}"#,
      #"{"data":{"event":{}},"EventDate":"2025-06-20T00:00:06Z","Username":"data, no payload"}"#,
      #"{"payload":{"EventDate":"2025-06-20T00:00:07Z","Username":"both"},"data":{"payload":{"EventDate":"2025-06-20T00:00:07Z","Username":"deepest"}}}"#,
      #"{"payload":{"EventDate":"2025-06-20T00:00:08Z","Username":"first of two"},"payload":{"Other":2}}"#,
      // A payload that is a string is no envelope, and its text is not a field the parser
      // reads: an escape in it that JSON does not allow is not the parser's to judge.
      #"{"payload":"\q","EventDate":"2025-06-20T00:00:09Z","Username":"string payload"}"#,
      #"{"data":{"payload":"\u12"},"EventDate":"2025-06-20T00:00:10Z","Username":"string data.payload"}"#,
    ]
    let symbols = SymbolTable()
    let parsed = try parseEvents(Array(records.joined(separator: "\n").utf8), format: .fixed(.salesforceRTEM), symbols: symbols)
    #expect(parsed.events.map { symbols.string($0.actor) } == [
      "bare", "payload", "empty payload", "null payload", "no payload field", "data.payload", "data, no payload",
      "deepest", "first of two", "string payload", "string data.payload",
    ])
  }

  @Test("report chunks sharing an ExecutionIdentifier count the report's rows once")
  func reportChunksCountedOnce() throws {
    let chunks = (1...3).map { sequence in
      #"{"attributes":{"type":"ReportEvent"},"EventDate":"2025-06-30T10:00:0\#(sequence).000+0000","#
        + #""ExecutionIdentifier":"exec-1","Sequence":\#(sequence),"RowsProcessed":20680.0,"#
        + #""Operation":"ReportExported","ReportId":"00O1"}"#
    }
    let parsed = try parseEvents(Array(chunks.joined(separator: "\n").utf8), format: .fixed(.salesforceRTEM), symbols: SymbolTable())
    #expect(parsed.events.map(\.records) == [20680, 0, 0])
    #expect(parsed.events.allSatisfy { $0.action == .export })
  }

  @Test("BulkApi2 job-state rows count the job's records once")
  func bulkJobCountedOnce() throws {
    let header = #""EVENT_TYPE","TIMESTAMP_DERIVED","JOB_ID","OPERATION_TYPE","JOB_STATUS","ROWS_PROCESSED""#
    let rows = [("Open", ""), ("UploadComplete", "0"), ("InProgress", "150000"), ("JobComplete", "412000")]
      .enumerated().map { index, state in
        #""BulkApi2","2025-06-30T10:0\#(index):00.000Z","750Hs00000ABCDE","query","\#(state.0)","\#(state.1)""#
      }
    let text = Array(([header] + rows).joined(separator: "\n").utf8)
    let parsed = try parseEvents(text, format: .fixed(.salesforceELF), symbols: SymbolTable())
    #expect(parsed.events.map(\.records) == [0, 0, 150_000, 262_000])
    #expect(parsed.events.map(\.records).reduce(0, +) == 412_000)
  }

  @Test("an input whose first records are mostly rejected is stopped as the wrong format")
  func wrongFormat() throws {
    let records = (0..<30).map { #"{"EventDate":"2025-06-30T10:00:00.000+0000","Username":"u\#($0)"}"# }
    #expect {
      _ = try parseEvents(Array(records.joined(separator: "\n").utf8), format: .fixed(.okta), symbols: SymbolTable())
    } throws: { error in
      guard case ParseError.wrongFormat(_, .okta?, 20, 20, .missingTime?) = error else { return false }
      return "\(error)".contains("20 of the first 20 records were rejected (mostly missing-time)")
    }
  }

  @Test("a record over the size limit is rejected as overlong; the next record is parsed")
  func overlongRecord() throws {
    let long = #"{"created_at":"2021-05-28T18:39:50Z","action":"exported","pad":""# + String(repeating: "x", count: 500) + #""}"#
    let short = #"{"created_at":"2021-05-28T18:40:00Z","action":"login"}"#
    let parser = EventParser(
      inputName: "z", symbols: SymbolTable(),
      options: ParserOptions(format: .fixed(.zendesk), maxRecordLength: 200))
    var collector = EventCollector()
    try Array((long + "\n" + short + "\n").utf8).withUnsafeBytes { try parser.feed($0, into: &collector) }
    try parser.finish(into: &collector)
    #expect(collector.rejects.map(\.reason) == [.overlong])
    #expect(collector.rejects.map(\.line) == [1])
    #expect(collector.events.map(\.action) == [.login])
    #expect(parser.summary.rejects == [.overlong: 1])
  }

  @Test("a CSV row with broken quoting is rejected as bad-csv")
  func badCSV() throws {
    let text = "\"EVENT_TYPE\",\"TIMESTAMP_DERIVED\"\n\"URI\",\"2025-06-30T10:00:00Z\"x\n\"URI\",\"2025-06-30T10:00:01Z\"\n"
    let parsed = try parseEvents(Array(text.utf8), format: .fixed(.salesforceELF), symbols: SymbolTable())
    #expect(parsed.rejects.map(\.reason) == [.badCSV])
    #expect(parsed.events.count == 1)
  }

  @Test("counts too large for 64 bits are wrong-type, not a crash", arguments: [
    "9223372036854775807", "9223372036854775808", "9223372036854775809", "99999999999999999999",
    "1e300", "\"9223372036854775809\"",
  ])
  func hugeCounts(count: String) throws {
    let record = #"{"sys_created_on":"2024-04-16 17:06:11","records":\#(count)}"#
    let parsed = try parseEvents(Array(record.utf8), format: .fixed(.servicenow), symbols: SymbolTable())
    if count == "9223372036854775807" {
      #expect(parsed.events.map(\.records) == [Int64.max])
    } else {
      #expect(parsed.rejects.map(\.reason) == [.wrongType])
    }
  }

  @Test("a byte order mark before a CSV header or the first JSON record is ignored")
  func byteOrderMark() throws {
    let csv = "\u{FEFF}\"EVENT_TYPE\",\"TIMESTAMP_DERIVED\",\"METHOD_NAME\",\"ROWS_PROCESSED\"\n\"API\",\"2025-06-30T10:00:00Z\",\"query\",\"50000\"\n"
    for format in [FormatChoice.auto, .fixed(.salesforceELF)] {
      let parsed = try parseEvents(Array(csv.utf8), format: format, symbols: SymbolTable())
      #expect(parsed.events.map(\.records) == [50_000])
      #expect(parsed.events.map(\.action) == [.query])
    }
    let json = "\u{FEFF}{\"CreationTime\":\"2024-05-02T20:07:27\",\"Operation\":\"FileDownloaded\",\"Id\":\"x\"}\n"
    let parsed = try parseEvents(Array(json.utf8), format: .auto, symbols: SymbolTable())
    #expect(parsed.events.map(\.action) == [.download])
  }

  @Test("a parser resumed at the start of an input with a byte order mark gives its first event")
  func byteOrderMarkWhenResumedAtStart() throws {
    let json = "\u{FEFF}{\"CreationTime\":\"2024-05-02T20:07:27\",\"Operation\":\"FileDownloaded\",\"Id\":\"x\"}\n"
    let symbols = SymbolTable()
    let first = EventParser(inputName: "input", symbols: symbols, options: ParserOptions())
    var whole = EventCollector()
    try Array(json.utf8).withUnsafeBytes { try first.feed($0, into: &whole) }
    let resumption = try #require(first.resumption)
    let resumed = try EventParser(
      inputName: "input", symbols: symbols, options: ParserOptions(), resuming: resumption, atLine: 1, offset: 0)
    var again = EventCollector()
    try Array(json.utf8).withUnsafeBytes { try resumed.feed($0, into: &again) }
    try resumed.finish(into: &again)
    #expect(whole.events.map(\.action) == [.download])
    #expect(again.events == whole.events)
    #expect(again.rejects.isEmpty)
  }

  @Test("with --format auto, a damaged first line is one reject; the platform comes from the next")
  func autoAfterDamagedFirstLine() throws {
    let good = #"{"attributes":{"type":"ApiEvent"},"EventDate":"2025-06-30T10:00:00.000+0000","RowsProcessed":5.0,"Query":"q"}"#
    let text = #"{"attributes":{"type":"ApiEv"# + "\n" + Array(repeating: good, count: 30).joined(separator: "\n")
    let parsed = try parseEvents(Array(text.utf8), format: .auto, symbols: SymbolTable())
    #expect(parsed.rejects.map(\.reason) == [.badJSON])
    #expect(parsed.events.count == 30)
  }

  @Test("null fields are not present when the sf-rtem event type is inferred")
  func nullFieldsAreAbsent() throws {
    let record = #"{"EventDate":"2025-06-30T10:00:00.000+0000","Query":"SELECT Id FROM Contact","RowsProcessed":null,"LoginType":null}"#
    let parsed = try parseEvents(Array(record.utf8), format: .fixed(.salesforceRTEM), symbols: SymbolTable())
    #expect(parsed.events.map(\.action) == [.download], "a Query without a row count is a Bulk API result download")
  }

  @Test("counts in strings are digits only: hex and exponents in strings are wrong-type", arguments: ["\"0x10\"", "\"1e3\"", "\"12abc\""])
  func digitStrings(count: String) throws {
    let record = #"{"sys_created_on":"2024-04-16 17:06:11","records":\#(count)}"#
    let parsed = try parseEvents(Array(record.utf8), format: .fixed(.servicenow), symbols: SymbolTable())
    #expect(parsed.rejects.map(\.reason) == [.wrongType])
  }

  @Test("two mapped fields may name the same path")
  func samePathTwice() throws {
    let parser = EventParser(
      inputName: "x", symbols: SymbolTable(),
      options: ParserOptions(
        format: .fixed(.jsonl),
        mapping: try FieldMapping(specifications: ["time=ts", "actor=user", "actorId=user"])))
    var collector = EventCollector()
    try Array(#"{"ts":"2025-06-30T10:00:00Z","user":"u1"}"#.utf8).withUnsafeBytes { try parser.feed($0, into: &collector) }
    try parser.finish(into: &collector)
    let event = try #require(collector.events.first)
    #expect(!event.actor.isNone && event.actor == event.actorID)
  }

  @Test("a path component of digits names an object's member as well as an array's element")
  func digitComponents() throws {
    let symbols = SymbolTable()
    let parser = EventParser(
      inputName: "x", symbols: symbols,
      options: ParserOptions(
        format: .fixed(.jsonl),
        mapping: try FieldMapping(specifications: ["time=ts", "actor=who.0", "object=what.1"])))
    var collector = EventCollector()
    let record = #"{"ts":"2025-06-30T10:00:00Z","who":{"0":"member"},"what":["first","second"]}"#
    try Array(record.utf8).withUnsafeBytes { try parser.feed($0, into: &collector) }
    try parser.finish(into: &collector)
    let event = try #require(collector.events.first)
    #expect(symbols.string(event.actor) == "member")
    #expect(symbols.string(event.object) == "second")
  }

  @Test("auto names what it cannot recognise")
  func unrecognised() throws {
    #expect(throws: ParseError.self) {
      _ = try parseEvents(Array(#"{"when":"2025-06-30T10:00:00Z","who":"x"}"#.utf8), format: .auto, symbols: SymbolTable())
    }
  }

  @Test("the bundled samples: the attack's rows add up the same in RTEM and ELF")
  func samplesAgree() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    var attackRows: [Int64] = []
    for sample in ["salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst", "salesforce-elf/API-2025-06-30.csv.gz"] {
      let path = root.appendingPathComponent("SampleLogs/\(sample)").path
      let text = try runToolChecked(sample.hasSuffix(".zst") ? "zstd" : "gzip", ["-dc", path])
      let symbols = SymbolTable()
      let parsed = try parseEvents(text, format: .auto, symbols: symbols)
      #expect(parsed.rejects.isEmpty)
      let attacker = symbols.intern("198.51.100.23")
      attackRows.append(parsed.events.filter { $0.sourceIP == attacker }.map(\.records).reduce(0, +))
    }
    // SampleLogs/README.md: 600,753 rows of full reads plus the probes and the 200-row test.
    #expect(attackRows == [600_956, 600_956])
  }
}
