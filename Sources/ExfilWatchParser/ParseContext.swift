import ExfilWatchEvent

/// What the format parsers share while reading one run: the symbol table, the scratch buffer for
/// decoded strings, the extracted field values and the logical-read tracker.
///
/// One context serves one input at a time; the buffers are reused from record to record, so
/// parsing allocates nothing per record in the common case.
final class ParseContext {
  let symbols: SymbolTable
  let scratch = DecodeScratch()
  /// The last JSON record's keys, for the next record's (`MemberKeyCache`).
  let keys = MemberKeyCache()
  /// Where logical reads are counted as they are parsed; `nil` when the caller counts them
  /// later (after merging inputs into time order).
  let operations: ReadOperationTracker?
  /// The current record's fields. Exempt from dynamic exclusivity checks (accessed for every
  /// field of every record; the context is used by one thread, and nothing re-enters it).
  @exclusivity(unchecked) var values: [FieldValue?] = []
  /// The input being read (interned name), for event origins.
  var input: Symbol = .none
  /// Longer values are interned shortened (`ParserOptions.maxValueLength`).
  let maxValueLength: Int
  /// More members and elements (JSON) or columns (CSV) in one record reject it.
  let maxFields: Int
  /// Values shortened so far.
  private(set) var shortenedValues = 0

  init(symbols: SymbolTable, operations: ReadOperationTracker?, maxValueLength: Int, maxFields: Int) {
    self.symbols = symbols
    self.operations = operations
    self.maxValueLength = maxValueLength
    self.maxFields = maxFields
  }

  /// Validates `record` as one UTF-8 JSON object and extracts `extractor`'s fields into
  /// `values`.
  func extract(_ record: UnsafeRawBufferPointer, with extractor: JSONFieldExtractor) throws(RejectReason) {
    guard isValidUTF8(record) else { throw .invalidUTF8 }
    scratch.reset(forRecordOf: record.count)
    if values.count != extractor.fieldCount {
      values = Array(repeating: nil, count: extractor.fieldCount)
    }
    try extractor.extract(from: record, maxFields: maxFields, scratch: scratch, keys: keys, into: &values)
  }

  /// Whether any of the current record's fields in `fields` has a value. Read through the
  /// array's buffer: subscripted one by one, each field's read was checked against the array's
  /// bounds, some 360 instructions per sf-rtem event (52 fields of its envelopes).
  func hasValue(in fields: Range<Int>) -> Bool {
    precondition(fields.lowerBound >= 0 && fields.upperBound <= values.count, "fields outside the record's")
    return values.withUnsafeBufferPointer { values in
      fields.contains { values[$0] != nil }
    }
  }

  /// Counts `event`'s logical read, when reads are counted as they are parsed. A method here,
  /// where `self` holds the tracker for the call: reached from the parser, the tracker was
  /// retained and released around every record's call.
  func countOperation(_ event: inout AccessEvent) {
    operations?.count(&event)
  }

  /// The interned text of a field (`.none` when absent, null or empty).
  func symbol(_ value: FieldValue?) -> Symbol {
    guard let text = value?.nonEmptyText else { return .none }
    return intern(text)
  }

  /// A client address as a symbol, without the port some platforms append
  /// (`198.51.100.7:53412`, `[2001:db8::5]:443`).
  func addressSymbol(_ value: FieldValue?) -> Symbol {
    guard let text = value?.nonEmptyText else { return .none }
    return intern(withoutPort(text))
  }

  /// The symbol of a value, shortened past `maxValueLength`: a user name or user agent made
  /// megabytes long would otherwise be keyed and compared whole. The first bytes (cut at a
  /// character boundary) are kept with a hash of the whole value, so two long values that
  /// share a beginning stay two keys: an attacker cannot hide under another's name. The whole
  /// value stays with the symbol for findings (within `SymbolTable.wholeTextBudget`).
  func intern(_ text: UnsafeRawBufferPointer) -> Symbol {
    guard text.count > maxValueLength else { return symbols.intern(text) }
    shortenedValues += 1
    let shortened = ShortenedText.bytes(of: text, keeping: maxValueLength)
    return shortened.withUnsafeBytes { symbols.intern($0, whole: text) }
  }

  /// A field's text as an event id (unique per event, so kept inline, not interned).
  func eventID(_ value: FieldValue?) -> EventID? {
    value?.nonEmptyText.map { EventID($0) }
  }
}

/// Counts a logical read once when the platform logs it as several events (Salesforce query
/// pages, report chunks, Bulk API job states): each event gets the rows by which it raises the
/// most rows seen so far for its operation. Operations idle for `retentionMilliseconds` of
/// event time are forgotten, so memory follows the number of recent operations.
///
/// One tracker can serve several inputs of a run, so a query whose pages fall into two files
/// (a daily export split at midnight) is still counted once; whatever order the pages come in,
/// an operation's events add up to the most rows it reported.
public final class ReadOperationTracker {
  @exclusivity(unchecked) private var mostRows: [UInt64: (rows: Int64, lastSeen: Int64)] = [:]
  private var eventsSincePrune = 0
  static let retentionMilliseconds: Int64 = 6 * 3_600_000
  /// Events between prunes: at most this many operations are new since the last.
  static let pruneInterval = 65_536
  /// A tracker that has this many operations is reading a large input: it makes room for a
  /// whole prune interval's at once. Grown by doubling from empty, it rehashed every operation
  /// some 16 times per input, a twentieth of parsing an API event; a tracker of a small input
  /// (a test, a fuzz case) stays small.
  static let reservesAfter = 4_096

  public init() {}

  /// What the tracker remembers, to be saved with a run's state (an operation whose pages fall
  /// on both sides of a stop must still count once): 24 bytes per operation seen in the last
  /// `retentionMilliseconds` before the newest, little-endian key, rows, last seen.
  public var encoded: [UInt8] {
    let newest = mostRows.values.map(\.lastSeen).max() ?? 0
    var bytes: [UInt8] = []
    for (key, value) in mostRows.sorted(by: { $0.key < $1.key })
    where value.lastSeen >= newest - Self.retentionMilliseconds {
      for word in [key, UInt64(bitPattern: value.rows), UInt64(bitPattern: value.lastSeen)] {
        withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
      }
    }
    return bytes
  }

  /// A tracker that goes on from `encoded`; `nil` for bytes that are not such an encoding.
  public convenience init?(encoded bytes: [UInt8]) {
    guard bytes.count % 24 == 0 else { return nil }
    self.init()
    bytes.withUnsafeBytes { raw in
      for start in stride(from: 0, to: raw.count, by: 24) {
        func word(_ index: Int) -> UInt64 {
          UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + index * 8, as: UInt64.self))
        }
        mostRows[word(0)] = (Int64(bitPattern: word(1)), Int64(bitPattern: word(2)))
      }
    }
  }

  /// Sets `records` of a page of a logical read to the rows it adds to its operation.
  public func count(_ event: inout AccessEvent) {
    guard let operation = event.operation else { return }
    event.records = increment(
      key: operation.key, rows: operation.rows, startsOperation: operation.startsOperation,
      time: event.time)
  }

  private func increment(key: UInt64, rows: Int64, startsOperation: Bool, time: Int64) -> Int64 {
    pruneIfDue(now: time)
    let cutoff = time - Self.retentionMilliseconds
    // One lookup: the operation is read and updated in place (a new one starts at no rows).
    func raise(_ known: inout (rows: Int64, lastSeen: Int64)) -> Int64 {
      let previous = !startsOperation && known.lastSeen >= cutoff ? known.rows : 0
      let most = max(previous, rows)
      known = (most, time)
      return most - previous
    }
    if mostRows.count == Self.reservesAfter { mostRows.reserveCapacity(Self.pruneInterval + Self.reservesAfter) }
    return raise(&mostRows[key, default: (0, .min)])
  }

  private func pruneIfDue(now: Int64) {
    eventsSincePrune += 1
    guard eventsSincePrune >= Self.pruneInterval else { return }
    eventsSincePrune = 0
    let horizon = now - Self.retentionMilliseconds
    // Kept at the capacity it had grown to, so the next interval's operations fit without
    // growing it again (a copy sized to the survivors would).
    var kept = [UInt64: (rows: Int64, lastSeen: Int64)](minimumCapacity: mostRows.count)
    for (key, operation) in mostRows where operation.lastSeen >= horizon { kept[key] = operation }
    mostRows = kept
  }
}

extension AccessEvent {
  /// Marks the event as a page of a logical read, to be counted by a `ReadOperationTracker`.
  mutating func setOperation(key: UInt64, rows: Int64, startsOperation: Bool) {
    records = rows
    operation = ReadOperation(key: key, rows: rows, startsOperation: startsOperation)
  }
}

/// A 64-bit key for an operation made of several fields (session + query text, job id): each
/// field's checksum (length included, so `ab` + `c` and `a` + `bc` differ) folded into the key.
///
/// A Salesforce query's text is often hundreds of bytes: hashed a byte at a time it was a
/// tenth of parsing an API event. (Keys saved by a version that hashed by bytes do not match:
/// an operation whose pages straddle that upgrade counts twice.)
struct OperationKey {
  private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

  /// Adds `field`; an empty or missing one still separates its neighbours.
  mutating func add(_ field: FieldValue?) {
    let text = field?.nonEmptyText ?? UnsafeRawBufferPointer(start: nil, count: 0)
    value = ByteChecksum.mix(value, ByteChecksum.of(text))
  }
}

/// `198.51.100.7:53412` → `198.51.100.7`; `[2001:db8::5]:443` → `2001:db8::5`; a bare IPv6
/// address (several colons, no brackets) is left as it is.
func withoutPort(_ address: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
  guard let bytes = address.baseAddress else { return address }
  let count = address.count
  if address.first == UInt8(ascii: "[") {
    let close = firstIndex(of: UInt8(ascii: "]"), in: bytes, from: 0, to: count)
    if close < count { return UnsafeRawBufferPointer(rebasing: address[1..<close]) }
  }
  let colon = firstIndex(of: UInt8(ascii: ":"), in: bytes, from: 0, to: count)
  guard colon < count, firstIndex(of: UInt8(ascii: ":"), in: bytes, from: colon + 1, to: count) == count
  else { return address }
  return UnsafeRawBufferPointer(rebasing: address[..<colon])
}
