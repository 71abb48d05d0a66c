import Glibc

/// An interned string: an index into a `SymbolTable`. Equal symbols of one table are equal
/// strings, so keys compare and hash as one integer.
public struct Symbol: Hashable, Comparable, Sendable {
  public let rawValue: UInt32

  @inlinable
  public init(rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// No value (the field was absent, null or empty). Computed and inlinable: as a stored
  /// `static let`, each use from another module called its lazy accessor, some two million
  /// times for a quarter of a million sf-elf events.
  @inlinable
  public static var none: Symbol { Symbol(rawValue: 0) }

  public var isNone: Bool { rawValue == 0 }

  public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Interns byte strings: each distinct value is stored once and named by a `Symbol`.
///
/// Lookup hashes the bytes in place (no `String` is built for a value already seen), probes an
/// open-addressing table and compares the bytes in line, so interning a field costs about as
/// much as reading it. The symbols' bytes are kept in one growing arena. New values take the
/// lowest number a sweep freed, else the next one, so the same input read the same way gives
/// the same numbers; nothing ExfilWatch outputs depends on them.
///
/// A run that reads for months sees ever new values (sessions, addresses, a flood of made-up
/// names) while it holds only its tracked keys' few: `sweep(keeping:)` frees the symbols
/// nothing holds any more, and new values take their numbers, so the table stays in
/// proportion to what is held, not to what was read.
///
/// Its storage is exempt from dynamic exclusivity checks: interning is the hottest call of the
/// Parser stage, and no method of it calls out while it holds an access.
///
/// One thread interns (the parser's); any thread may read symbols' text meanwhile (the
/// detector's, making a finding, while the next inputs are parsed: `--threads`). Whatever
/// changes the storage (a new symbol, a cached string) or reads it from a reader (text and
/// bytes) holds `lock`; looking up a symbol already interned, by far the most common call,
/// only reads, and only the interning thread writes, so it takes no lock.
public final class SymbolTable: @unchecked Sendable {
  /// A pthread mutex rather than `Mutex`, whose closures must return sendable values.
  private let lock: UnsafeMutablePointer<pthread_mutex_t> = {
    let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(lock, nil)
    return lock
  }()
  @exclusivity(unchecked) private var arena: [UInt8] = []
  /// Start and length in `arena` of symbol n (index 0 is `.none`).
  @exclusivity(unchecked) private var spans: [(start: Int, count: Int)] = [(0, 0)]
  @exclusivity(unchecked) private var hashes: [UInt64] = [0]
  /// Open-addressing slots holding symbol numbers; 0 is empty. Power-of-two sized.
  @exclusivity(unchecked) private var slots: [UInt32] = Array(repeating: 0, count: 1024)
  @exclusivity(unchecked) private var strings: [String?] = [nil]
  /// The whole text of values interned shortened (`intern(_:whole:)`), by symbol number.
  private var wholeTexts: [UInt32: String] = [:]
  private var wholeTextBytes = 0
  /// Whole texts are kept up to this many bytes in all; later long values are known only by
  /// their shortened text, so a flood of long values cannot make memory grow.
  public static let wholeTextBudget = 32 << 20
  /// Long values whose whole text was not kept, the budget being spent.
  public private(set) var wholeTextsNotKept = 0

  public init() {}

  deinit {
    pthread_mutex_destroy(lock)
    lock.deallocate()
  }

  private func locked<Result>(_ body: () throws -> Result) rethrows -> Result {
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    return try body()
  }

  /// Numbers freed by `sweep(keeping:)`, the lowest last: the next new values take them.
  /// A free number's span is empty (no symbol's is).
  @exclusivity(unchecked) private var freeNumbers: [UInt32] = []
  /// Symbols in use after the last sweep.
  private var liveAfterSweep = 0

  /// The symbol numbers given out, not counting `.none`: symbols in use, and numbers freed by
  /// a sweep and not taken again yet.
  public var count: Int { spans.count - 1 }

  /// The symbols in use.
  public var liveCount: Int { spans.count - 1 - freeNumbers.count }

  /// A sweep is worth its pass (over every symbol, and over everything that holds symbols)
  /// once the symbols in use have doubled since the last, and there are at least this many.
  public var minimumSweepCount = 1 << 18

  /// Whether the table has grown enough since the last sweep for another.
  public var isSweepDue: Bool { liveCount >= max(minimumSweepCount, 2 * liveAfterSweep) }

  /// The symbol for `bytes`; empty input is `.none`.
  public func intern(_ bytes: UnsafeRawBufferPointer) -> Symbol {
    intern(bytes, isNew: nil)
  }

  /// The symbol for `shortened`, a long value cut to a key (see `ParseContext.intern`), whose
  /// `whole` text `string(_:)` gives: keys stay short, findings name the whole value. Whole
  /// texts are kept within `wholeTextBudget`.
  public func intern(_ shortened: UnsafeRawBufferPointer, whole: UnsafeRawBufferPointer) -> Symbol {
    var isNew = false
    let symbol = intern(shortened, isNew: &isNew)
    guard isNew else { return symbol }
    locked {
      guard wholeTextBytes + whole.count <= Self.wholeTextBudget else {
        wholeTextsNotKept += 1
        return
      }
      wholeTextBytes += whole.count
      wholeTexts[symbol.rawValue] = String(decoding: whole, as: UTF8.self)
    }
    return symbol
  }

  private func intern(_ bytes: UnsafeRawBufferPointer, isNew: UnsafeMutablePointer<Bool>?) -> Symbol {
    guard !bytes.isEmpty else { return .none }
    let hash = Self.hash(bytes)
    var slot = Int(truncatingIfNeeded: hash) & (slots.count &- 1)
    if let found = lookUp(bytes, hash: hash, slot: &slot) { return Symbol(rawValue: found) }
    isNew?.pointee = true
    return locked {
      let symbol: UInt32
      if let free = freeNumbers.popLast() {
        symbol = free
        spans[Int(free)] = (arena.count, bytes.count)
        hashes[Int(free)] = hash
        strings[Int(free)] = nil
      } else {
        symbol = UInt32(spans.count)
        spans.append((arena.count, bytes.count))
        hashes.append(hash)
        strings.append(nil)
      }
      arena.append(contentsOf: bytes)
      slots[slot] = symbol
      if liveCount * 4 > slots.count * 3 { grow() }
      return Symbol(rawValue: symbol)
    }
  }

  /// The symbol holding `bytes` (whose hash is `hash`), probing from `slot`; nil, with `slot`
  /// at the empty slot that ends the probe, when there is none.
  ///
  /// The arrays are read through their buffers: a lookup reads four of them, and the bounds
  /// and overflow checks of their subscripts were a fifth of its instructions. The bytes are
  /// compared by `sameBytes`, in line, not by `memcmp`: around that opaque call the arena's
  /// buffer was retained and released, a pair per lookup that cost more than the comparison
  /// of values a few dozen bytes long. The numbers in
  /// `slots` are symbols the table holds, so their hashes and spans are in range, and a span
  /// lies within the arena.
  @inline(__always)
  private func lookUp(_ bytes: UnsafeRawBufferPointer, hash: UInt64, slot: inout Int) -> UInt32? {
    slots.withUnsafeBufferPointer { slots in
      hashes.withUnsafeBufferPointer { hashes in
        spans.withUnsafeBufferPointer { spans in
          arena.withUnsafeBytes { arena in
            let mask = slots.count &- 1
            while true {
              let candidate = slots[slot]
              if candidate == 0 { return nil }
              if hashes[Int(candidate)] == hash {
                let span = spans[Int(candidate)]
                if span.count == bytes.count
                  && Self.sameBytes(
                    UnsafeRawBufferPointer(start: arena.baseAddress.unsafelyUnwrapped + span.start, count: span.count),
                    bytes)
                {
                  return candidate
                }
              }
              slot = (slot &+ 1) & mask
            }
          }
        }
      }
    }
  }

  /// Frees every symbol `marks` does not hold: its text is dropped and its number goes to a
  /// later new value. Returns how many were freed.
  ///
  /// Only for the interning thread, at a point where every symbol held anywhere (keys, their
  /// evidence, events buffered or waiting) is marked and no other thread reads the table: a
  /// symbol held but not marked would come to name another value.
  @discardableResult
  public func sweep(keeping marks: SymbolMarks) -> Int {
    locked {
      var kept: [UInt8] = []
      // Exactly the bytes kept: the arena's old capacity is given back.
      kept.reserveCapacity(
        (1..<spans.count).reduce(0) { $0 + (marks.contains(Symbol(rawValue: UInt32($1))) ? spans[$1].count : 0) })
      var freed: [UInt32] = []
      for number in 1..<spans.count where spans[number].count > 0 {
        let span = spans[number]
        if marks.contains(Symbol(rawValue: UInt32(number))) {
          spans[number].start = kept.count
          kept.append(contentsOf: arena[span.start..<span.start + span.count])
        } else {
          spans[number] = (0, 0)
          strings[number] = nil
          if let whole = wholeTexts.removeValue(forKey: UInt32(number)) { wholeTextBytes -= whole.utf8.count }
          freed.append(UInt32(number))
        }
      }
      arena = kept
      freeNumbers = (freeNumbers + freed).sorted(by: >)
      rehash()
      liveAfterSweep = liveCount
      return freed.count
    }
  }

  /// Whether every marked symbol is one the table holds (not freed, not past its numbers).
  public func holdsAll(_ marks: SymbolMarks) -> Bool {
    locked { marks.allMarked { $0 == 0 || ($0 < spans.count && spans[$0].count > 0) } }
  }

  /// The symbol for `string`; empty is `.none`.
  public func intern(_ string: String) -> Symbol {
    var string = string
    return string.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
  }

  /// The symbol's text (made once, then cached), the whole text for a value interned
  /// shortened; `nil` for `.none`.
  public func string(_ symbol: Symbol) -> String? {
    guard !symbol.isNone else { return nil }
    let index = Int(symbol.rawValue)
    return locked {
      if !wholeTexts.isEmpty, let whole = wholeTexts[symbol.rawValue] { return whole }
      if let cached = strings[index] { return cached }
      guard spans[index].count > 0 else { return nil }  // freed: names nothing until taken again
      let made = unlockedBytes(symbol) { String(decoding: $0, as: UTF8.self) }
      strings[index] = made
      return made
    }
  }

  /// Calls `body` with the symbol's bytes (empty for `.none`): the shortened text of a value
  /// interned shortened.
  public func withBytes<Result>(
    _ symbol: Symbol, _ body: (UnsafeRawBufferPointer) throws -> Result
  ) rethrows -> Result {
    try locked { try unlockedBytes(symbol, body) }
  }

  private func unlockedBytes<Result>(
    _ symbol: Symbol, _ body: (UnsafeRawBufferPointer) throws -> Result
  ) rethrows -> Result {
    let span = spans[Int(symbol.rawValue)]
    return try arena.withUnsafeBytes { all in
      try body(UnsafeRawBufferPointer(rebasing: all[span.start..<span.start + span.count]))
    }
  }

  /// Whether `stored` and `bytes`, of the same length, hold the same bytes: eight at a time,
  /// then the last eight (overlapping bytes already compared); a value under eight bytes as
  /// one `partialWord` each. The last bytes compared one by one were a third of the lookups'
  /// comparisons.
  @inline(__always)
  static func sameBytes(_ stored: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer) -> Bool {
    let count = bytes.count
    guard count >= 8 else {
      return ByteChecksum.partialWord(stored, from: 0, count: count)
        == ByteChecksum.partialWord(bytes, from: 0, count: count)
    }
    var offset = 0
    while offset &+ 8 <= count {
      guard stored.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        == bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
      else { return false }
      offset &+= 8
    }
    return offset == count
      || stored.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        == bytes.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
  }

  private func grow() {
    slots = Array(repeating: 0, count: slots.count * 2)
    rehash()
  }

  /// Fills the slots anew with the symbols in use.
  private func rehash() {
    for index in slots.indices { slots[index] = 0 }
    let mask = slots.count - 1
    for symbol in 1..<spans.count where spans[symbol].count > 0 {
      var slot = Int(truncatingIfNeeded: hashes[symbol]) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = UInt32(symbol)
    }
  }

  // For `SymbolTable+Encoding`: a saved table comes back with its free numbers and whole texts.

  /// The whole texts kept, by symbol number.
  var wholeTextsByNumber: [(number: UInt32, text: String)] {
    locked { wholeTexts.map { ($0.key, $0.value) }.sorted { $0.number < $1.number } }
  }

  /// Gives out the next number as a free one, while a saved table is restored in number order.
  func appendFreeNumber() {
    spans.append((0, 0))
    hashes.append(0)
    strings.append(nil)
  }

  /// Ends a restore: the numbers appended free are taken again by new values, and the whole
  /// texts go back to their symbols. False if a whole text names a free number.
  func finishRestoring(wholeTexts restored: [(number: UInt32, text: String)]) -> Bool {
    guard restored.allSatisfy({ spans[Int($0.number)].count > 0 }) else { return false }
    freeNumbers = (1..<UInt32(spans.count)).filter { spans[Int($0)].count == 0 }.sorted(by: >)
    for (number, text) in restored {
      wholeTexts[number] = text
      wholeTextBytes += text.utf8.count
    }
    // Swept afresh once at least `minimumSweepCount` are in use: the saved table may hold
    // values the run that saved it no longer held (and a table saved before sweeps, all).
    liveAfterSweep = 0
    return true
  }

  /// A fast 64-bit hash of bytes, eight at a time (the same mixing that checks saved state).
  static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    ByteChecksum.of(bytes)
  }
}

/// A symbol is saved as its bare number (detector state holds millions of them); it means
/// something only beside the symbol table it came from.
extension Symbol: Codable {
  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(UInt32.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
