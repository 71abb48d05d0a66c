import ExfilWatchEvent
import ExfilWatchParser

extension FuzzTarget {
  /// The formats a selector picks from: every `--format` value.
  static let formats: [FormatChoice] = [.auto] + LogFormat.allCases.map { .fixed($0) }

  /// Field mappings for `jsonl`, `csv` and `auto`: JSON paths (nested, and an array index) and
  /// CSV column names, as in the parser's fixtures.
  static let mappings: [FieldMapping] = [
    try! FieldMapping(specifications: [
      "time=ts", "actor=who.email", "actorId=who.ids.0", "client=app", "sourceIP=ip", "action=op",
      "object=entity", "records=count", "bytes=bytes_out", "session=sid", "eventID=id", "tenant=org",
    ]),
    try! FieldMapping(specifications: [
      "time=When", "actor=User", "actorId=UserId", "client=App", "sourceIP=IP", "action=Action",
      "object=Entity", "records=Rows", "bytes=Bytes", "session=Session", "eventID=EventId",
      "tenant=Tenant",
    ]),
  ]

  /// The Parser stage (`EventParser`) on decoded bytes, as `exfilwatch events --format F` runs it.
  ///
  /// The first byte picks the format (bits 0-3, modulo the number of formats), the mapping
  /// (bit 4), the record length limit (bits 5-6: the default, or a small one so that overlong
  /// records are rejected) and the chunk size (bit 7: 1 or 7 bytes). The rest is parsed fed
  /// whole and fed in small chunks: events, rejects, the summary and any error must be the same.
  @discardableResult
  public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int {
    let (selector, input) = selector(of: bytes)
    let limits = [1 << 20, 16, 256, 4096]
    let options = ParserOptions(
      format: formats[Int(selector & 15) % formats.count],
      mapping: mappings[Int(selector >> 4) & 1],
      maxRecordLength: limits[Int(selector >> 5) & 3])
    let whole = Parsing(input, options: options, chunkSize: max(input.count, 1))
    let chunked = Parsing(input, options: options, chunkSize: selector & 0x80 == 0 ? 1 : 7)
    whole.expectSame(as: chunked)
    return whole.collector.events.count
  }
}

/// One complete parse of an input, fed in chunks: everything the parser handed out.
struct Parsing {
  var collector: ParsedRecords
  var summary: InputSummary
  /// The error that stopped the input, as the user would read it.
  var failure: String?

  init(
    _ input: UnsafeRawBufferPointer, options: ParserOptions, chunkSize: Int,
    operations: ReadOperationTracker? = ReadOperationTracker()
  ) {
    let parser = EventParser(inputName: "fuzz", symbols: SymbolTable(), options: options, operations: operations)
    var collector = ParsedRecords()
    do {
      try FuzzTarget.forEachChunk(of: input, size: chunkSize) { try parser.feed($0, into: &collector) }
      try parser.finish(into: &collector)
    } catch {
      failure = "\(error)"
    }
    collector.check(against: parser.summary)
    self.collector = collector
    summary = parser.summary
  }

  func expectSame(as other: Parsing) {
    expect(failure == other.failure, "the error depends on chunk sizes: \(failure ?? "none") vs \(other.failure ?? "none")")
    expect(collector.events == other.collector.events, "events depend on chunk sizes")
    expect(collector.rejects == other.collector.rejects, "rejects depend on chunk sizes")
    expect(summary == other.summary, "the summary depends on chunk sizes")
  }
}

/// Events and rejected records, copied out of the parser's buffers.
struct ParsedRecords: EventHandler {
  struct Reject: Equatable {
    var reason: RejectReason
    var line: Int
    var offset: Int64
    var bytes: [UInt8]
    var length: Int
  }

  var events: [AccessEvent] = []
  var rejects: [Reject] = []

  mutating func handleEvent(_ event: AccessEvent) {
    events.append(event)
  }

  mutating func handleReject(_ reject: RejectedRecord) {
    rejects.append(Reject(
      reason: reject.reason, line: reject.line, offset: reject.offset, bytes: Array(reject.bytes),
      length: reject.length))
  }

  /// What was handed out agrees with the parser's own counts.
  func check(against summary: InputSummary) {
    expect(summary.events == events.count, "the summary's events are not the events handed out")
    expect(summary.rejected == rejects.count, "the summary's rejects are not the rejects handed out")
    expect(summary.records == events.count + rejects.count, "records are not events plus rejects")
    expect(summary.reads == events.count { $0.isRead }, "the summary's reads are not the read events")
    let lines = events.map(\.origin.line) + rejects.map(\.line)
    expect(lines.allSatisfy { $0 >= 1 }, "a record before line 1")
  }
}
