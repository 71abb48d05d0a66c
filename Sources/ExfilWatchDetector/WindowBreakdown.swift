import ExfilWatchEvent

/// Who and what a stretch of a key's reads came from: records and reads per actor, client,
/// source IP and object. Each field keeps exact sums for its first `limit` values and folds
/// the rest into one `other` entry, so the totals still add up to the reads counted; a
/// finding shows the `shown` biggest, chosen by records, not by arrival.
struct WindowBreakdown: Codable {
  /// The fields a finding's evidence breaks a window down by.
  enum Field: Int, CaseIterable, Codable {
    case actor, client, sourceIP, object
  }

  struct Entry: Codable {
    var field: Field
    var value: Symbol
    /// The user's id beside the user's name (actors only).
    var companion: Symbol
    var records: Int64
    var reads: Int64
  }

  /// Stands for the folded tail of a field's values.
  static let other = Symbol(rawValue: .max)
  static let limit = 32
  static let shown = 6

  private(set) var entries: [Entry] = []
  /// Per field, the entry the field's last value went to: a key's consecutive reads mostly
  /// share their actor, client and IP, so this spares scanning the entries.
  private var lastEntry = InlineArray<4, Int32>(repeating: -1)
  /// Per field, its entries (its `other` entry included).
  private var fieldCounts = InlineArray<4, UInt8>(repeating: 0)
  /// Once there are `indexedFrom` entries: an open-addressing index of them by field and
  /// value (entry index + 1; 0 is an empty slot). The bucket of the console every agent uses
  /// holds dozens of actors and addresses, and scanning them for each read was a tenth of the
  /// detector's time; the usual bucket has a value or two per field and no index.
  private var index: [UInt8] = []
  private static let indexedFrom = 16
  /// Slots of the index: at least twice the most entries a breakdown can hold (`limit` values
  /// and an `other` per field, 132), so it is at most about half full.
  private static let indexSize = 256

  private enum CodingKeys: String, CodingKey { case entries }

  init() {}

  init(from decoder: any Decoder) throws {
    self.init()
    let entries = try decoder.container(keyedBy: CodingKeys.self).decode([Entry].self, forKey: .entries)
    for entry in entries {
      add(entry.field, entry.value, companion: entry.companion, records: entry.records, reads: entry.reads)
    }
  }

  mutating func removeAll() {
    entries.removeAll(keepingCapacity: true)
    lastEntry = InlineArray(repeating: -1)
    fieldCounts = InlineArray(repeating: 0)
    index.removeAll(keepingCapacity: true)
  }

  mutating func add(_ event: AccessEvent) {
    let actor = event.actor.isNone ? event.actorID : event.actor
    // Most reads repeat the last value of every field: counted in place, with one check that
    // the entries are not shared instead of one per field.
    let repeated = entries.withUnsafeMutableBufferPointer { entries in
      let hints = (Int(lastEntry[0]), Int(lastEntry[1]), Int(lastEntry[2]), Int(lastEntry[3]))
      guard hints.0 >= 0, hints.1 >= 0, hints.2 >= 0, hints.3 >= 0,
        entries[hints.0].value == actor, entries[hints.1].value == event.client,
        entries[hints.2].value == event.sourceIP, entries[hints.3].value == event.object
      else { return false }
      func count(_ hint: Int) {
        entries[hint].records += event.records
        entries[hint].reads += 1
      }
      count(hints.0)
      count(hints.1)
      count(hints.2)
      count(hints.3)
      return true
    }
    if repeated { return }
    add(.actor, actor, companion: event.actorID,
        records: event.records, reads: 1)
    add(.client, event.client, companion: .none, records: event.records, reads: 1)
    add(.sourceIP, event.sourceIP, companion: .none, records: event.records, reads: 1)
    add(.object, event.object, companion: .none, records: event.records, reads: 1)
  }

  mutating func merge(_ other: WindowBreakdown) {
    for entry in other.entries {
      add(entry.field, entry.value, companion: entry.companion, records: entry.records, reads: entry.reads)
    }
  }

  @inline(__always)
  private mutating func add(_ field: Field, _ value: Symbol, companion: Symbol, records: Int64, reads: Int64) {
    let hint = Int(lastEntry[field.rawValue])
    if hint >= 0 && entries[hint].value == value {
      entries[hint].records += records
      entries[hint].reads += reads
      return
    }
    if let found = find(field, value) {
      entries[found].records += records
      entries[found].reads += reads
      lastEntry[field.rawValue] = Int32(found)
      return
    }
    if Int(fieldCounts[field.rawValue]) < Self.limit {
      // A value per field at least: one allocation for a key's usual reads, not three.
      if entries.isEmpty { entries.reserveCapacity(Field.allCases.count) }
      lastEntry[field.rawValue] = Int32(entries.count)
      append(Entry(field: field, value: value, companion: companion, records: records, reads: reads))
    } else if let other = find(field, Self.other) {
      entries[other].records += records
      entries[other].reads += reads
    } else {
      // The field is full: the newcomer starts its `other` entry.
      append(Entry(field: field, value: Self.other, companion: .none, records: records, reads: reads))
    }
  }

  private mutating func append(_ entry: Entry) {
    fieldCounts[entry.field.rawValue] += 1
    entries.append(entry)
    if entries.count == Self.indexedFrom {
      index = Array(repeating: 0, count: Self.indexSize)
      for position in entries.indices { insertIntoIndex(position) }
    } else if entries.count > Self.indexedFrom {
      insertIntoIndex(entries.count - 1)
    }
  }

  @inline(__always)
  private func find(_ field: Field, _ value: Symbol) -> Int? {
    guard !index.isEmpty else {
      for position in entries.indices where entries[position].value == value && entries[position].field == field {
        return position
      }
      return nil
    }
    var slot = Self.slot(field, value)
    while index[slot] != 0 {
      let position = Int(index[slot]) - 1
      if entries[position].field == field && entries[position].value == value { return position }
      slot = (slot + 1) & (Self.indexSize - 1)
    }
    return nil
  }

  private mutating func insertIntoIndex(_ position: Int) {
    var slot = Self.slot(entries[position].field, entries[position].value)
    while index[slot] != 0 { slot = (slot + 1) & (Self.indexSize - 1) }
    index[slot] = UInt8(position + 1)
  }

  private static func slot(_ field: Field, _ value: Symbol) -> Int {
    let key = UInt64(value.rawValue) | UInt64(field.rawValue) << 32
    return Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56) & (indexSize - 1)
  }

  /// The entries of one field, most records first, ties by most reads then by text.
  /// The `shown` biggest values, then one `(other)` entry for the rest (and for what was
  /// folded while counting).
  func tallies(_ field: Field, symbols: SymbolTable) -> [Tally] {
    let named = entries.filter { $0.field == field && $0.value != Self.other }.map { entry in
      let uid = entry.companion.isNone || entry.companion == entry.value ? nil : symbols.string(entry.companion)
      return Tally(
        name: symbols.string(entry.value) ?? Tally.noneName, uid: uid, records: entry.records,
        reads: entry.reads)
    }.sorted { ($0.records, $0.reads, $1.name) > ($1.records, $1.reads, $0.name) }
    var other = Tally(name: Tally.otherName, records: 0, reads: 0)
    var folded = false
    for entry in entries where entry.field == field && entry.value == Self.other {
      other.records += entry.records
      other.reads += entry.reads
      folded = true
    }
    for tally in named.dropFirst(Self.shown) {
      other.records += tally.records
      other.reads += tally.reads
      folded = true
    }
    return Array(named.prefix(Self.shown)) + (folded ? [other] : [])
  }

  /// The value holding at least half the records (or, with no records, half the reads) of a
  /// field: the actor, client or IP a window mostly came from.
  func dominant(_ field: Field) -> Symbol? {
    var records: Int64 = 0
    var reads: Int64 = 0
    for entry in entries where entry.field == field {
      records += entry.records
      reads += entry.reads
    }
    for entry in entries where entry.field == field && !entry.value.isNone && entry.value != Self.other {
      if records > 0 ? entry.records * 2 >= records : entry.reads * 2 >= reads { return entry.value }
    }
    return nil
  }
}
