import ExfilWatchEvent
import ExfilWatchFramer

/// The Parser stage for one input: decoded chunks in, `AccessEvent`s out.
///
/// It frames records (JSON lines, arrays, wrappers, pretty-printed objects, or CSV rows), picks
/// the format (given, or recognised from the first record with `--format auto`), parses each
/// record into an event, and hands events and rejected records to an `EventHandler`. Bad
/// records are counted by reason and the input goes on; an input whose first records are mostly
/// rejected is plainly in another format and is stopped with `ParseError.wrongFormat`.
public final class EventParser {
  public let inputName: String
  public let options: ParserOptions
  /// What the input gave so far.
  public var summary: InputSummary {
    var summary = counts
    summary.shortenedValues = context.shortenedValues
    return summary
  }
  /// Exempt from dynamic exclusivity checks: counted for every record (two checks per record,
  /// some 100 instructions of an event), by the one thread that feeds the parser, and nothing
  /// re-enters it while it counts.
  @exclusivity(unchecked) private var counts = InputSummary()

  private enum Framing {
    case json(JSONRecordFramer)
    case csv(CSVRecordFramer)
  }

  private enum ActiveParser {
    case rtem(SalesforceRTEMParser)
    case elf(SalesforceELFParser)
    case okta(OktaParser)
    case m365(M365Parser)
    case servicenow(ServiceNowParser)
    case zendesk(ZendeskParser)
    case mapped(MappedParser)
  }

  private var framing: Framing?
  private var readsCSV = false
  /// Leading whitespace seen before the first byte that tells JSON from CSV.
  private var pending: [UInt8] = []
  private var parser: ActiveParser?
  private var sawRecord = false
  /// Whether the first records are still to be judged for a wrong format: only from the
  /// input's start (a resumed parser is past them).
  private var judgesFormat = true
  /// The first record of a CSV input: its header, kept for `resumption`.
  private var csvHeader: [UInt8]?
  private let context: ParseContext

  /// How many of the first records are judged before deciding the format is wrong.
  static let wrongFormatSample = 20
  /// Leading whitespace kept while waiting for the byte that tells JSON from CSV; past this,
  /// JSON is assumed, so blank input cannot make memory grow.
  static let maxLeadingWhitespace = 1 << 16

  /// - Parameter operations: where logical reads are counted as they are parsed; `nil` leaves
  ///   pages uncounted (`AccessEvent.operation`) for a caller that merges several inputs and
  ///   counts them in time order.
  public init(
    inputName: String, symbols: SymbolTable, options: ParserOptions,
    operations: ReadOperationTracker? = ReadOperationTracker()
  ) {
    self.inputName = inputName
    self.options = options
    context = ParseContext(symbols: symbols, operations: operations, maxValueLength: options.maxValueLength,
      maxFields: options.maxFields)
    context.input = symbols.intern(inputName)
  }

  /// A parser that continues an input in the middle, at the start of a record (its line number
  /// and decoded offset), as an earlier parser of the same input described it in `resumption`.
  public convenience init(
    inputName: String, symbols: SymbolTable, options: ParserOptions,
    operations: ReadOperationTracker? = ReadOperationTracker(),
    resuming resumption: ParserResumption, atLine line: Int, offset: Int64
  ) throws {
    self.init(inputName: inputName, symbols: symbols, options: options, operations: operations)
    let start = LinePosition(number: line, offset: offset)
    judgesFormat = false
    // Resumed at the input's start, the first record may still carry a byte order mark.
    sawRecord = offset > 0
    parser = try makeParser(resumption.format)
    switch resumption.framing {
    case .jsonLines:
      framing = .json(JSONRecordFramer(maxRecordLength: options.maxRecordLength, resumingLinesAt: start))
    case .csv(let header):
      framing = .csv(CSVRecordFramer(maxRecordLength: options.maxRecordLength, startingAt: start))
      readsCSV = true
      csvHeader = header
      let origin = EventOrigin(input: context.input, line: 1, offset: 0)
      _ = try header.withUnsafeBytes { try parse($0, origin: origin) }
    }
  }

  /// How a later parser can continue this input from `nextRecordPosition` or from any
  /// record's position; `nil` until the format is known, and for JSON arrays and wrappers.
  public var resumption: ParserResumption? {
    guard let format = counts.format, parser != nil else { return nil }
    switch framing {
    case .json(let framer) where framer.resumableLinePosition != nil:
      return ParserResumption(format: format, framing: .jsonLines)
    case .csv where csvHeader != nil:
      return ParserResumption(format: format, framing: .csv(header: csvHeader!))
    default:
      return nil
    }
  }

  /// The symbol events of this input carry as their origin's input: held by the parser for
  /// as long as it reads (see `SymbolTable.sweep(keeping:)`).
  public var inputSymbol: Symbol { context.input }

  /// Records so far that a later parser cannot be resumed at, though the input is resumable:
  /// the elements of an array or wrapper page found among JSON lines (only the page's start
  /// is a line to start again at).
  public var unresumableRecords: Int {
    if case .json(let framer) = framing { framer.nestedRecordsInLines } else { 0 }
  }

  /// Where the first record not parsed yet starts (a partial last line waits there), when the
  /// input can be resumed by position.
  public var nextRecordPosition: LinePosition? {
    switch framing {
    case .json(let framer): framer.resumableLinePosition
    case .csv(let framer) where csvHeader != nil: framer.nextPosition
    default: nil
    }
  }

  /// Parses the records completed by `chunk`.
  public func feed<Handler: EventHandler>(
    _ chunk: UnsafeRawBufferPointer, into handler: inout Handler
  ) throws {
    guard framing != nil else {
      // The first byte that is not whitespace (nor a byte order mark) tells JSON from CSV.
      let start = pending.isEmpty && chunk.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
      guard let first = chunk[start...].firstIndex(where: { !isWhitespace($0) }) else {
        guard pending.count + chunk.count <= Self.maxLeadingWhitespace else {
          framing = chooseFraming(firstByte: UInt8(ascii: "{"))
          try feedPending(into: &handler)
          try feed(chunk, into: &handler)
          return
        }
        pending.append(contentsOf: chunk)
        return
      }
      framing = chooseFraming(firstByte: chunk[first])
      try feedPending(into: &handler)
      try feed(chunk, into: &handler)
      return
    }
    try withFraming(handler: &handler) { framing, dispatcher in
      switch framing {
      // Written back even when a record's handling throws: the framer has moved past the
      // records it handed out, and a resumed run must start after them.
      case .json(var framer):
        defer { framing = .json(framer) }
        try framer.feed(chunk, into: &dispatcher)
      case .csv(var framer):
        defer { framing = .csv(framer) }
        try framer.feed(chunk, into: &dispatcher)
      }
    }
  }

  private func feedPending<Handler: EventHandler>(into handler: inout Handler) throws {
    guard !pending.isEmpty else { return }
    let buffered = pending
    pending = []
    try buffered.withUnsafeBytes { try feed($0, into: &handler) }
  }

  /// Parses the last record at the end of the input and checks the input as a whole.
  public func finish<Handler: EventHandler>(into handler: inout Handler) throws {
    if framing != nil {
      try withFraming(handler: &handler) { framing, dispatcher in
        switch framing {
        case .json(var framer):
          defer { framing = .json(framer) }
          try framer.finish(into: &dispatcher)
        case .csv(var framer):
          defer { framing = .csv(framer) }
          try framer.finish(into: &dispatcher)
        }
      }
    }
    let rejected = counts.rejected
    if judgesFormat && counts.records >= 5 && rejected == counts.records && counts.records < Self.wrongFormatSample {
      throw ParseError.wrongFormat(
        input: inputName, format: counts.format, rejected: rejected, of: counts.records,
        reason: counts.mostCommonReject)
    }
  }

  /// Runs `body` with the framer moved out of `self` (so that growing its buffers never copies
  /// them, and the records it hands back can reach `parseRecord` without overlapping access).
  private func withFraming<Handler: EventHandler>(
    handler: inout Handler,
    _ body: (inout Framing, inout RecordDispatcher<Handler>) throws -> Void
  ) throws {
    var moved = framing!
    framing = nil
    var dispatcher = RecordDispatcher(owner: self, handler: handler)
    defer {
      framing = moved
      handler = dispatcher.handler
    }
    try body(&moved, &dispatcher)
  }

  private func chooseFraming(firstByte: UInt8) -> Framing {
    let framing = framingFor(firstByte: firstByte)
    if case .csv = framing { readsCSV = true }
    return framing
  }

  private func framingFor(firstByte: UInt8) -> Framing {
    let looksLikeJSON = firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[")
    switch options.format {
    case .fixed(.csv):
      return .csv(CSVRecordFramer(maxRecordLength: options.maxRecordLength))
    case .auto, .fixed(.salesforceELF):
      return looksLikeJSON
        ? .json(JSONRecordFramer(maxRecordLength: options.maxRecordLength))
        : .csv(CSVRecordFramer(maxRecordLength: options.maxRecordLength))
    case .fixed:
      return .json(JSONRecordFramer(maxRecordLength: options.maxRecordLength))
    }
  }

  /// Parses one framed record.
  ///
  /// The event is built in place and handed on without passing through a `Result` or a second
  /// optional: an `AccessEvent` is some 190 bytes (its id is inline), and each such wrapper
  /// cost a copy and a generic destroy per record.
  fileprivate func parseRecord<Handler: EventHandler>(
    _ record: UnsafeRawBufferPointer?, at position: LinePosition, length: Int,
    into handler: inout Handler
  ) throws {
    guard let record else {
      try reject(.overlong, UnsafeRawBufferPointer(start: nil, count: 0), at: position, length: length, into: &handler)
      return
    }
    var content = record
    if !sawRecord {
      sawRecord = true
      if record.starts(with: [0xEF, 0xBB, 0xBF]) {  // a byte order mark before the first record
        content = UnsafeRawBufferPointer(rebasing: record[3...])
      }
    }
    if parser == nil { parser = try chooseParser(firstRecord: content) }
    let origin = EventOrigin(input: context.input, line: position.number, offset: position.offset)
    var event: AccessEvent
    do throws(RejectReason) {
      // With --format auto, records before the first that can be recognised are bad JSON.
      guard parser != nil else { throw .badJSON }
      guard let parsed = try parse(content, origin: origin) else {
        // A CSV header: kept (as framed) so that a later run can read the columns' names.
        if readsCSV, csvHeader == nil { csvHeader = Array(record) }
        return
      }
      event = parsed
    } catch {
      try reject(error, record, at: position, length: length, into: &handler)
      return
    }
    context.countOperation(&event)
    counts.records += 1
    counts.events += 1
    if event.isRead { counts.reads += 1 }
    try handler.handleEvent(event)
    try judgeFormat()
  }

  private func reject<Handler: EventHandler>(
    _ reason: RejectReason, _ record: UnsafeRawBufferPointer, at position: LinePosition, length: Int,
    into handler: inout Handler
  ) throws {
    counts.records += 1
    counts.rejects[reason, default: 0] += 1
    try handler.handleReject(RejectedRecord(
      reason: reason, line: position.number, offset: position.offset, bytes: record, length: length))
    try judgeFormat()
  }

  /// Stops an input whose first records are mostly rejected: it is plainly in another format.
  private func judgeFormat() throws {
    if judgesFormat && counts.records == Self.wrongFormatSample && counts.rejected * 2 > Self.wrongFormatSample {
      throw ParseError.wrongFormat(
        input: inputName, format: counts.format, rejected: counts.rejected, of: counts.records,
        reason: counts.mostCommonReject)
    }
  }

  /// In line in `parseRecord`: called, it copied each format's event (some 180 bytes) into the
  /// optional it returns, for every record (memmove went from 8.7% to 6.5% of parsing sf-elf).
  @inline(__always)
  private func parse(_ record: UnsafeRawBufferPointer, origin: EventOrigin) throws(RejectReason) -> AccessEvent? {
    switch parser! {
    case .rtem(let parser): return try parser.parse(record, context: context, origin: origin)
    case .okta(let parser): return try parser.parse(record, context: context, origin: origin)
    case .m365(let parser): return try parser.parse(record, context: context, origin: origin)
    case .servicenow(let parser): return try parser.parse(record, context: context, origin: origin)
    case .zendesk(let parser): return try parser.parse(record, context: context, origin: origin)
    case .elf(let parser):
      if readsCSV {
        return try parser.parseCSV(record, context: context, origin: origin)
      }
      return try parser.parseJSON(record, context: context, origin: origin)
    case .mapped(let parser):
      if readsCSV {
        return try parser.parseCSV(record, context: context, origin: origin)
      }
      return try parser.parseJSON(record, context: context, origin: origin)
    }
  }

  /// The parser for the input, from the given format or its first record; nil while, with
  /// `--format auto`, the records are not even JSON.
  private func chooseParser(firstRecord: UnsafeRawBufferPointer) throws -> ActiveParser? {
    let format: LogFormat
    switch options.format {
    case .fixed(let fixed):
      format = fixed
    case .auto:
      if readsCSV {
        if FormatSniffer.isSalesforceELFHeader(firstRecord) {
          format = .salesforceELF
        } else if !options.mapping.isEmpty {
          format = .csv
        } else {
          throw ParseError.unrecognisedFormat(input: inputName, shape: "CSV")
        }
      } else {
        switch FormatSniffer.format(ofJSON: firstRecord, context: context) {
        case .format(let sniffed): format = sniffed
        case .notJSON: return nil
        case .unknown where !options.mapping.isEmpty: format = .jsonl
        case .unknown: throw ParseError.unrecognisedFormat(input: inputName, shape: "JSON")
        }
      }
    }
    return try makeParser(format)
  }

  private func makeParser(_ format: LogFormat) throws -> ActiveParser {
    if (format == .jsonl || format == .csv) && options.mapping.isEmpty {
      throw ParseError.mappingRequired(input: inputName, format: format)
    }
    counts.format = format
    switch format {
    case .salesforceRTEM: return .rtem(SalesforceRTEMParser())
    case .salesforceELF: return .elf(SalesforceELFParser())
    case .okta: return .okta(OktaParser())
    case .m365: return .m365(M365Parser())
    case .servicenow: return .servicenow(ServiceNowParser())
    case .zendesk: return .zendesk(ZendeskParser())
    case .jsonl, .csv: return .mapped(MappedParser(mapping: options.mapping))
    }
  }

  private func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }
}

/// Connects a framer's records to the parser and the caller's handler.
///
/// It holds its parser strongly: it lives only for one `feed` or `finish` call, so there is no
/// cycle to break, and an `unowned` reference was checked and retained for every record.
private struct RecordDispatcher<Handler: EventHandler>: LineHandler {
  let owner: EventParser
  var handler: Handler

  mutating func handleLine(_ line: UnsafeRawBufferPointer, at position: LinePosition) throws {
    try owner.parseRecord(line, at: position, length: line.count, into: &handler)
  }

  mutating func handleOverlongLine(at position: LinePosition, length: Int) throws {
    try owner.parseRecord(nil, at: position, length: length, into: &handler)
  }
}
