import ExfilWatchEvent

/// The detector's key slots by key: an open-addressing table (linear probing, deletion by
/// shifting back, no tombstones) with a multiplicative hash of the key's fields.
///
/// Every event looks up one key per dimension. A `Dictionary` hashes each of a key's five
/// fields through a seeded SipHash, which was a twentieth of the detector's time. The fields
/// are symbols, numbered by the run's symbol table in order of first sight, not hashes of
/// their text: input decides the order of new values, not where they land.
struct KeySlotIndex {
  private struct Entry {
    var key: DetectorKey
    /// The key's slot, or `empty`.
    var slot: Int32
  }

  private static let empty: Int32 = -1
  private var entries: [Entry] = []
  /// `entries.count - 1`, a power of two less one (or 0 before the first key).
  private var mask = 0
  private(set) var count = 0

  /// The slots of every key, in no order.
  var values: [Int32] { entries.compactMap { $0.slot == Self.empty ? nil : $0.slot } }

  /// Makes room for `capacity` keys without growing.
  mutating func reserveCapacity(_ capacity: Int) {
    if Self.tableSize(for: capacity) > entries.count { rehash(size: Self.tableSize(for: capacity)) }
  }

  subscript(key: DetectorKey) -> Int32? {
    get {
      guard count > 0 else { return nil }
      return entries.withUnsafeBufferPointer { entries in
        var position = Self.hash(key) & mask
        while entries[position].slot != Self.empty {
          if entries[position].key == key { return entries[position].slot }
          position = (position + 1) & mask
        }
        return nil
      }
    }
    set {
      if let slot = newValue { insert(key, slot: slot) } else { remove(key) }
    }
  }

  private mutating func insert(_ key: DetectorKey, slot: Int32) {
    if Self.tableSize(for: count + 1) > entries.count { rehash(size: Self.tableSize(for: count + 1)) }
    var position = Self.hash(key) & mask
    while entries[position].slot != Self.empty {
      if entries[position].key == key {
        entries[position].slot = slot
        return
      }
      position = (position + 1) & mask
    }
    entries[position] = Entry(key: key, slot: slot)
    count += 1
  }

  private mutating func remove(_ key: DetectorKey) {
    guard count > 0 else { return }
    var position = Self.hash(key) & mask
    while entries[position].key != key || entries[position].slot == Self.empty {
      if entries[position].slot == Self.empty { return }
      position = (position + 1) & mask
    }
    // Entries after the hole that probed past it move back into it, so every entry stays
    // reachable from its home position without tombstones.
    var hole = position
    var next = (hole + 1) & mask
    while entries[next].slot != Self.empty {
      let home = Self.hash(entries[next].key) & mask
      // Whether `home` lies cyclically outside (hole, next]: then the entry may fill the hole.
      let fits = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next)
      if fits {
        entries[hole] = entries[next]
        hole = next
      }
      next = (next + 1) & mask
    }
    entries[hole].slot = Self.empty
    count -= 1
  }

  private mutating func rehash(size: Int) {
    let old = entries
    entries = Array(repeating: Entry(key: DetectorKey(dimension: 0, tenant: .none, first: .none), slot: Self.empty), count: size)
    mask = size - 1
    count = 0
    for entry in old where entry.slot != Self.empty { insert(entry.key, slot: entry.slot) }
  }

  /// A power of two at which `keys` fill at most 70% of the table.
  private static func tableSize(for keys: Int) -> Int {
    var size = 16
    while keys * 10 > size * 7 { size *= 2 }
    return size
  }

  @inline(__always)
  private static func hash(_ key: DetectorKey) -> Int {
    let values = UInt64(key.first.rawValue) | UInt64(key.second.rawValue) << 32
    let context = UInt64(key.third.rawValue) | UInt64(key.tenant.rawValue) << 32
    return Int(truncatingIfNeeded: ByteChecksum.mix(ByteChecksum.mix(UInt64(key.dimension), values), context))
  }
}
