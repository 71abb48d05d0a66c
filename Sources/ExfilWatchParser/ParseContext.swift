import ExfilWatchEvent

/// What the format parsers share while reading one run: the symbol table, the scratch buffer for
/// decoded strings, the extracted field values and the logical-read tracker.
///
/// One context serves one input at a time; the buffers are reused from record to record, so
/// parsing allocates nothing per record in the common case.
final class ParseContext {
  let symbols: SymbolTable
  let scratch = DecodeScratch()
  /// Where logical reads are counted as they are parsed; `nil` when the caller counts them
  /// later (after merging inputs into time order).
  let operations: ReadOperationTracker?
  /// The current record's fields. Exempt from dynamic exclusivity checks (accessed for every
  /// field of every record; the context is used by one thread, and nothing re-enters it).
  @exclusivity(unchecked) var values: [FieldValue?] = []
  /// The input being read (interned name), for event origins.
  var input: Symbol = .none

  init(symbols: SymbolTable, operations: ReadOperationTracker?) {
    self.symbols = symbols
    self.operations = operations
  }

  /// Validates `record` as one UTF-8 JSON object and extracts `extractor`'s fields into
  /// `values`.
  func extract(_ record: UnsafeRawBufferPointer, with extractor: JSONFieldExtractor) throws(RejectReason) {
    guard isValidUTF8(record) else { throw .invalidUTF8 }
    scratch.reset(forRecordOf: record.count)
    if values.count != extractor.fieldCount {
      values = Array(repeating: nil, count: extractor.fieldCount)
    }
    let scanner = JSONScanner(record)
    let root: JSONValue
    do {
      root = try scanner.topLevelValue()
    } catch {
      throw .badJSON
    }
    try extractor.extract(from: scanner, root: root, scratch: scratch, into: &values)
  }

  /// The interned text of a field (`.none` when absent, null or empty).
  func symbol(_ value: FieldValue?) -> Symbol {
    guard let text = value?.nonEmptyText else { return .none }
    return symbols.intern(text)
  }

  /// A client address as a symbol, without the port some platforms append
  /// (`198.51.100.7:53412`, `[2001:db8::5]:443`).
  func addressSymbol(_ value: FieldValue?) -> Symbol {
    guard let text = value?.nonEmptyText else { return .none }
    return symbols.intern(withoutPort(text))
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

  public init() {}

  /// What the tracker remembers, to be saved with a run's state: an operation whose pages fall
  /// on both sides of a stop must still count once.
  public struct Snapshot: Sendable, Equatable, Codable {
    public var keys: [UInt64]
    public var rows: [Int64]
    public var lastSeen: [Int64]
  }

  public var snapshot: Snapshot {
    let entries = mostRows.sorted { $0.key < $1.key }
    return Snapshot(keys: entries.map(\.key), rows: entries.map(\.value.rows), lastSeen: entries.map(\.value.lastSeen))
  }

  /// A tracker that goes on from `snapshot`.
  public convenience init(snapshot: Snapshot) {
    self.init()
    for (index, key) in snapshot.keys.enumerated() where index < snapshot.rows.count && index < snapshot.lastSeen.count {
      mostRows[key] = (snapshot.rows[index], snapshot.lastSeen[index])
    }
  }

  /// The records to count for an event of the operation `key` that reports `rows`.
  ///
  /// - Parameter startsOperation: whether this event begins a new operation with the same key
  ///   (a `Query` after an earlier `Query` with the same text in the same session).
  /// Sets `records` of a page of a logical read to the rows it adds to its operation.
  public func count(_ event: inout AccessEvent) {
    guard let operation = event.operation else { return }
    event.records = increment(
      key: operation.key, rows: operation.rows, startsOperation: operation.startsOperation,
      time: event.time)
  }

  private func increment(key: UInt64, rows: Int64, startsOperation: Bool, time: Int64) -> Int64 {
    pruneIfDue(now: time)
    var previous: Int64 = 0
    if !startsOperation, let known = mostRows[key], known.lastSeen >= time - Self.retentionMilliseconds {
      previous = known.rows
    }
    let most = max(previous, rows)
    mostRows[key] = (most, time)
    return most - previous
  }

  private func pruneIfDue(now: Int64) {
    eventsSincePrune += 1
    guard eventsSincePrune >= 65_536 else { return }
    eventsSincePrune = 0
    let horizon = now - Self.retentionMilliseconds
    mostRows = mostRows.filter { $0.value.lastSeen >= horizon }
  }
}

extension AccessEvent {
  /// Marks the event as a page of a logical read, to be counted by a `ReadOperationTracker`.
  mutating func setOperation(key: UInt64, rows: Int64, startsOperation: Bool) {
    records = rows
    operation = ReadOperation(key: key, rows: rows, startsOperation: startsOperation)
  }
}

/// A 64-bit key for an operation made of several fields (session + query text, job id).
struct OperationKey {
  private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

  mutating func add(_ field: FieldValue?) {
    let text = field?.nonEmptyText ?? UnsafeRawBufferPointer(start: nil, count: 0)
    for byte in text {
      value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    value = (value ^ 0xFF) &* 0x0000_0100_0000_01B3  // field separator
  }
}

/// `198.51.100.7:53412` → `198.51.100.7`; `[2001:db8::5]:443` → `2001:db8::5`; a bare IPv6
/// address (several colons, no brackets) is left as it is.
func withoutPort(_ address: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
  if address.first == UInt8(ascii: "["), let close = address.firstIndex(of: UInt8(ascii: "]")) {
    return UnsafeRawBufferPointer(rebasing: address[1..<close])
  }
  guard let colon = address.firstIndex(of: UInt8(ascii: ":")),
    address[(colon + 1)...].firstIndex(of: UInt8(ascii: ":")) == nil
  else { return address }
  return UnsafeRawBufferPointer(rebasing: address[..<colon])
}
