import ExfilWatchEvent

/// Who and what a stretch of a key's reads came from: records and reads in all and per actor,
/// client, source IP and object. Each field keeps exact sums for its first `limit` values and
/// folds the rest into one `other` entry, so the totals still add up to the reads counted; a
/// finding shows the `shown` biggest, chosen by records, not by arrival.
///
/// Most buckets hold one actor, client, IP and object (a key is one of them, and its reads in
/// a hop mostly share the rest): while they do, the breakdown is those values, whose sums are
/// the totals, with no storage of its own. Each bucket's list of entries had been over a
/// quarter of the detector's heap and a cache miss per read.
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

  // Words first, bytes last: a bucket is kept per key, horizon and hop (a million of them at
  // 100,000 actors), and the padding between fields in another order was 24 bytes of each.
  /// Records and reads counted.
  private(set) var records: Int64 = 0
  private(set) var reads: Int64 = 0
  /// Once a field has had a second value, or after a merge or a restore of several: every
  /// field's values with their sums. Left as they were (with `index`) when the breakdown is
  /// emptied, and emptied only when the next entry comes: a bucket reused for a key's next
  /// hop mostly keeps sole values.
  private var entries: [Entry] = []
  /// Once there are `indexedFrom` entries: an open-addressing index of them by field and
  /// value (entry index + 1; 0 is an empty slot). The bucket of the console every agent uses
  /// holds dozens of actors and addresses, and scanning them for each read was a tenth of the
  /// detector's time.
  private var index: [UInt8] = []
  private static let indexedFrom = 16
  /// Slots of the index: at least twice the most entries a breakdown can hold (`limit` values
  /// and an `other` per field, 132), so it is at most about half full.
  private static let indexSize = 256
  /// While `entries` is empty and there are reads: each field's one value (by `Field`), and
  /// the actor's companion at `companionSlot`.
  private var soleValues = InlineArray<5, Symbol>(repeating: .none)
  private static let companionSlot = 4
  /// Per field, the entry the field's last value went to (`noEntry` before one): a key's
  /// consecutive reads mostly share their actor, client and IP, so this spares scanning the
  /// entries.
  private var lastEntry = InlineArray<4, UInt8>(repeating: Self.noEntry)
  /// Per field, its entries (its `other` entry included).
  private var fieldCounts = InlineArray<4, UInt8>(repeating: 0)
  /// Whether `entries` is in use (else what it and `index` hold is stale): every entry
  /// counts in its field, so any field with a count. Asked at every read, and told by these
  /// bytes beside the sole values: the entries' storage is elsewhere on the heap, a cache miss
  /// to reach.
  private var hasEntries: Bool {
    withUnsafeBytes(of: fieldCounts) { $0.loadUnaligned(as: UInt32.self) } != 0
  }
  private static let noEntry = UInt8.max

  private enum CodingKeys: String, CodingKey { case entries }

  init() {}

  /// Restores what `encode` wrote: a breakdown with one value per field as those values.
  init(from decoder: any Decoder) throws {
    self.init()
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let saved = try container.decode([Entry].self, forKey: .entries)
    // Every read counts once in each field: the actor's entries hold the totals. Per field
    // sums past Int64 (damaged state) would trap as entries add up.
    var sums = Array(repeating: (records: Int64(0), reads: Int64(0)), count: Field.allCases.count)
    for entry in saved {
      let records = sums[entry.field.rawValue].records.addingReportingOverflow(entry.records)
      let reads = sums[entry.field.rawValue].reads.addingReportingOverflow(entry.reads)
      guard !records.overflow, !reads.overflow, entry.records >= 0, entry.reads >= 0 else {
        throw DecodingError.dataCorruptedError(forKey: .entries, in: container, debugDescription: "sums past Int64")
      }
      sums[entry.field.rawValue] = (records.partialValue, reads.partialValue)
    }
    (records, reads) = sums[Field.actor.rawValue]
    let sole = saved.count == Field.allCases.count && !saved.contains { $0.value == Self.other }
      && Field.allCases.allSatisfy { field in saved.contains { $0.field == field } }
    guard sole else {
      for entry in saved {
        add(entry.field, entry.value, companion: entry.companion, records: entry.records, reads: entry.reads)
      }
      return
    }
    for entry in saved { soleValues[entry.field.rawValue] = entry.value }
    soleValues[Self.companionSlot] = saved.first { $0.field == .actor }!.companion
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(allEntries, forKey: .entries)
  }

  /// Every field's entries, in the order their values first came.
  var allEntries: [Entry] {
    guard !hasEntries else { return entries }
    guard reads > 0 else { return [] }
    return Field.allCases.map { field in
      Entry(
        field: field, value: soleValues[field.rawValue], companion: field == .actor ? soleValues[Self.companionSlot] : .none,
        records: records, reads: reads)
    }
  }

  mutating func removeAll() {
    records = 0
    reads = 0
    guard hasEntries else { return }
    lastEntry = InlineArray(repeating: Self.noEntry)
    fieldCounts = InlineArray(repeating: 0)
  }

  /// Entries a free bucket's list may keep room for (`BucketStore`).
  static let sparedEntries = 16

  /// The room the entry list has, used or not.
  var entryCapacity: Int { entries.capacity }

  /// `removeAll`, letting go of a list with room for more than `sparedEntries` entries (and
  /// the index that comes with it), for a bucket set aside for reuse. Free buckets go to
  /// whichever key opens a bucket next, and a list keeps the largest room it ever had: the
  /// lists of the few keys with dozens of values (an office address, the console app) spread
  /// to every key's buckets over weeks, and a replay of 120 days took 24% more memory than one
  /// of 12 with the same keys.
  mutating func removeAllReleasingLargeLists() {
    removeAll()
    guard entries.capacity > Self.sparedEntries else { return }
    entries = []
    index = []
  }

  mutating func add(_ event: AccessEvent) {
    let actor = event.actor.isNone ? event.actorID : event.actor
    defer {
      records += event.records
      reads += 1
    }
    if !hasEntries {
      if reads == 0 {
        soleValues = [actor, event.client, event.sourceIP, event.object, event.actorID]
        return
      }
      if soleValues[0] == actor && soleValues[1] == event.client && soleValues[2] == event.sourceIP
        && soleValues[3] == event.object
      {
        return
      }
      spread()
    }
    // Most reads repeat the last value of most fields: those are counted in place, with one
    // check that the entries are not shared instead of one per field; the others are looked
    // up (or added) one by one.
    let values = (actor, event.client, event.sourceIP, event.object)
    let missed = entries.withUnsafeMutableBufferPointer { entries in
      func countAtHint(_ field: Int, _ value: Symbol) -> UInt8 {
        let hint = Int(lastEntry[field])
        // (Each field has its entry once `entries` is used, unless restored state lacks one.)
        guard hint < entries.count, entries[hint].value == value else { return 1 << field }
        entries[hint].records += event.records
        entries[hint].reads += 1
        return 0
      }
      return countAtHint(0, values.0) | countAtHint(1, values.1) | countAtHint(2, values.2) | countAtHint(3, values.3)
    }
    if missed == 0 { return }
    if missed & 1 != 0 { add(.actor, values.0, companion: event.actorID, records: event.records, reads: 1) }
    if missed & 2 != 0 { add(.client, values.1, companion: .none, records: event.records, reads: 1) }
    if missed & 4 != 0 { add(.sourceIP, values.2, companion: .none, records: event.records, reads: 1) }
    if missed & 8 != 0 { add(.object, values.3, companion: .none, records: event.records, reads: 1) }
  }

  /// Turns the sole values into entries, as a field is about to get its second value (one
  /// by one: a list of them made first was an allocation per spread bucket).
  private mutating func spread() {
    let values = soleValues
    entries.reserveCapacity(2 * Field.allCases.count)
    add(.actor, values[Field.actor.rawValue], companion: values[Self.companionSlot], records: records, reads: reads)
    add(.client, values[Field.client.rawValue], companion: .none, records: records, reads: reads)
    add(.sourceIP, values[Field.sourceIP.rawValue], companion: .none, records: records, reads: reads)
    add(.object, values[Field.object.rawValue], companion: .none, records: records, reads: reads)
  }

  mutating func merge(_ other: WindowBreakdown) {
    guard other.reads > 0 else { return }
    if reads == 0 && !other.hasEntries {
      self = other
      return
    }
    if !hasEntries && reads > 0 { spread() }
    for entry in other.allEntries {
      add(entry.field, entry.value, companion: entry.companion, records: entry.records, reads: entry.reads)
    }
    records += other.records
    reads += other.reads
  }

  @inline(__always)
  private mutating func add(_ field: Field, _ value: Symbol, companion: Symbol, records: Int64, reads: Int64) {
    if !hasEntries {
      entries.removeAll(keepingCapacity: true)
      index.removeAll(keepingCapacity: true)
    }
    let hint = Int(lastEntry[field.rawValue])
    if hint != Int(Self.noEntry) && entries[hint].value == value {
      entries[hint].records += records
      entries[hint].reads += reads
      return
    }
    if let found = find(field, value) {
      entries[found].records += records
      entries[found].reads += reads
      lastEntry[field.rawValue] = UInt8(found)
      return
    }
    if Int(fieldCounts[field.rawValue]) < Self.limit {
      lastEntry[field.rawValue] = UInt8(entries.count)
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
    let entries = allEntries
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
    if !hasEntries { return reads > 0 && !soleValues[field.rawValue].isNone ? soleValues[field.rawValue] : nil }
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
