import Glibc

/// Cuts JSON input into records (objects), whatever shape the export has:
///
/// - JSON lines: one object per line (the common case; framed by `LineFramer`, so a broken line
///   is one bad record and the next line starts afresh);
/// - one array per file: `[{…},{…}]`, pretty-printed or not;
/// - pretty-printed objects one after another;
/// - objects inside a wrapper: `{"audit_logs":[…],"next_page":…}` (the keys in `wrapperKeys`).
///
/// The shape is decided from the first value: an object that ends on its first line and is not
/// a wrapper means JSON lines; anything else is read as a document by a string- and
/// escape-aware bracket scanner that streams the elements of arrays and wrappers one by one, so
/// a 10 GB array never sits in memory. Records are handed to a `LineHandler` (a record is a
/// "line" in that protocol's terms) with the line on which they start.
public struct JSONRecordFramer {
  /// The keys whose array value holds the records, in API pages and SIEM exports.
  ///
  /// Only the page keys of the platforms ExfilWatch reads: Zendesk (`audit_logs`), Salesforce
  /// SOQL REST (`records`), CloudTrail (`Records`), Microsoft Graph (`value`), ServiceNow
  /// (`result`), and `results`. Generic names (`data`, `events`, `items`) are left out: real
  /// records have array members called so (Google Workspace's `events`), and taking such a
  /// record for a page would drop it.
  public static let wrapperKeys: Set<[UInt8]> = Set(
    ["audit_logs", "records", "Records", "value", "result", "results"].map { Array($0.utf8) })

  /// The default longest record: 1 MiB.
  public static let defaultMaxRecordLength = 1 << 20

  public let maxRecordLength: Int

  private enum Shape {
    /// Not known yet: the first bytes are kept by the probe.
    case undecided(JSONShapeProbe)
    case lines(LineFramer, JSONDocumentScanner?)
    case document(JSONDocumentScanner)
    /// Taken out by `feed`/`finish` while they work.
    case moved
  }

  private var shape: Shape

  public init(maxRecordLength: Int = JSONRecordFramer.defaultMaxRecordLength) {
    self.maxRecordLength = maxRecordLength
    shape = .undecided(JSONShapeProbe(maxRecordLength: maxRecordLength))
  }

  /// A framer for JSON lines that continues at `start`, the start of a line: a resumed input
  /// whose shape was decided when it was first read.
  public init(maxRecordLength: Int = JSONRecordFramer.defaultMaxRecordLength, resumingLinesAt start: LinePosition) {
    self.maxRecordLength = maxRecordLength
    shape = .lines(LineFramer(maxLineLength: maxRecordLength, startingAt: start), nil)
  }

  /// Records of JSON lines framed from inside an array or a wrapper page among the lines:
  /// reading cannot start again at such a record's line (see `JSONDocumentScanner.nestedRecords`).
  public private(set) var nestedRecordsInLines = 0

  /// Where reading could start again with `init(resumingLinesAt:)`: the start of the line not
  /// framed yet, when the input is JSON lines and no pretty-printed object is half read;
  /// `nil` for arrays and wrappers, which can only be read again from their start.
  public var resumableLinePosition: LinePosition? {
    guard case .lines(let framer, nil) = shape else { return nil }
    return framer.nextPosition
  }

  /// Hands every record completed by `chunk` to `handler`.
  public mutating func feed<Handler: LineHandler>(
    _ chunk: UnsafeRawBufferPointer, into handler: inout Handler
  ) throws {
    // The framer state is moved out of `shape` (which is left `.moved`) while it works, so that
    // its buffers are uniquely referenced and grow in place instead of being copied per chunk.
    switch shape {
    case .lines(var framer, let document):
      shape = .moved
      var lines = JSONLines(handler: handler, document: document, maxRecordLength: maxRecordLength)
      defer {
        handler = lines.handler
        shape = .lines(framer, lines.document)
        nestedRecordsInLines += lines.nestedRecords
      }
      try framer.feed(chunk, into: &lines)
    case .document(var scanner):
      shape = .moved
      defer { shape = .document(scanner) }
      try scanner.feed(chunk, into: &handler)
    case .moved:
      preconditionFailure("JSONRecordFramer re-entered")
    case .undecided(var probe):
      shape = .moved
      probe.add(chunk)
      guard let decided = probe.shape(atEnd: false) else {
        shape = .undecided(probe)
        return
      }
      try start(decided, framing: probe.sniffed, into: &handler)
    }
  }

  /// Fixes the shape, then frames the bytes gathered while it was not known.
  private mutating func start<Handler: LineHandler>(
    _ decided: JSONShapeProbe.Shape, framing sniffed: [UInt8], into handler: inout Handler
  ) throws {
    switch decided {
    case .lines: shape = .lines(LineFramer(maxLineLength: maxRecordLength), nil)
    case .document: shape = .document(JSONDocumentScanner(maxRecordLength: maxRecordLength))
    }
    try sniffed.withUnsafeBytes { try feed($0, into: &handler) }
  }

  /// Hands the last record to `handler` when the input ends.
  public mutating func finish<Handler: LineHandler>(into handler: inout Handler) throws {
    if case .undecided(var probe) = shape {
      // At the end of the input the probe always decides.
      try start(probe.shape(atEnd: true)!, framing: probe.sniffed, into: &handler)
    }
    switch shape {
    case .lines(var framer, let document):
      shape = .moved
      var lines = JSONLines(handler: handler, document: document, maxRecordLength: maxRecordLength)
      defer {
        handler = lines.handler
        shape = .lines(framer, nil)
        nestedRecordsInLines += lines.nestedRecords
      }
      try framer.finish(into: &lines)
      try lines.finish()
    case .document(var scanner):
      shape = .moved
      defer { shape = .document(scanner) }
      try scanner.finish(into: &handler)
    case .undecided, .moved:
      break
    }
  }
}

@inline(__always)
func isJSONWhitespace(_ byte: UInt8) -> Bool {
  byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
}

/// JSON lines: each line is a record; blank lines are not records. A line holding only `{`
/// opens a pretty-printed object in the middle of JSON lines (`cat a.jsonl b.json`): until that
/// object is complete, lines go through a `JSONDocumentScanner`, which gathers it across lines.
/// Any other line stands alone, so a truncated line is one bad record and no more.
private struct JSONLines<Handler: LineHandler>: LineHandler {
  var handler: Handler
  var document: JSONDocumentScanner?
  let maxRecordLength: Int
  /// Nested records the documents handed on during this call.
  var nestedRecords = 0

  init(handler: Handler, document: JSONDocumentScanner?, maxRecordLength: Int) {
    self.handler = handler
    self.document = document
    self.maxRecordLength = maxRecordLength
  }

  mutating func handleLine(_ line: UnsafeRawBufferPointer, at position: LinePosition) throws {
    // A record on one line (`{"` …) with no document open, as the general path below decides
    // too, without its searches for the first byte and for a lone `{`.
    if document == nil && line.count >= 2 && line[0] == UInt8(ascii: "{") && !isJSONWhitespace(line[1]) {
      try handler.handleLine(line, at: position)
      return
    }
    let first = line.firstIndex { !isJSONWhitespace($0) }
    let opensObject = first.map {
      line[$0] == UInt8(ascii: "{") && line[($0 + 1)...].allSatisfy(isJSONWhitespace)
    } ?? false
    if let open = document, open.isCutByRecordAtLineStart, line.first == UInt8(ascii: "{") {
      // A `{` at column 0 starts a record (see `JSONDocumentScanner.feed`): the object still
      // open was cut short. It is handed on here, and the line read as a line, so that a run
      // resumed at this line frames it exactly as this one does.
      document = nil
      try finish(open)
    }
    if document?.isBetweenRecords == true && !opensObject {
      document = nil
    }
    if document == nil {
      guard first != nil else { return }
      guard opensObject else {
        try handler.handleLine(line, at: position)
        return
      }
      document = JSONDocumentScanner(maxRecordLength: maxRecordLength, start: position)
    }
    // The line framer dropped the line's terminator (`\n` or `\r\n`): put the scanner at the
    // line's true position, so offsets stay exact in CRLF files and after skipped lines.
    document!.move(to: position)
    let nestedBefore = document!.nestedRecords
    try document!.feed(line, into: &handler)
    try withUnsafeBytes(of: UInt8(0x0A)) { try document!.feed($0, into: &handler) }
    nestedRecords += document!.nestedRecords - nestedBefore
  }

  /// Hands on what `open` still holds, counting a nested record among it.
  private mutating func finish(_ open: JSONDocumentScanner) throws {
    var open = open
    let nestedBefore = open.nestedRecords
    try open.finish(into: &handler)
    nestedRecords += open.nestedRecords - nestedBefore
  }

  mutating func handleOverlongLine(at position: LinePosition, length: Int) throws {
    // A line too long to keep cannot be scanned, so the pretty-printed object it belongs to is
    // damaged: it is handed on as it stands, before the line (records stay in input order), and
    // the lines after are read one by one again.
    if let open = document {
      document = nil
      try finish(open)
    }
    try handler.handleOverlongLine(at: position, length: length)
  }

  mutating func finish() throws {
    if let open = document { try finish(open) }
  }
}
