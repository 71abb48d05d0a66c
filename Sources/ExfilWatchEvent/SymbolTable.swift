import Glibc

/// An interned string: an index into a `SymbolTable`. Equal symbols of one table are equal
/// strings, so keys compare and hash as one integer.
public struct Symbol: Hashable, Comparable, Sendable {
  public let rawValue: UInt32

  public init(rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// No value (the field was absent, null or empty).
  public static let none = Symbol(rawValue: 0)

  public var isNone: Bool { rawValue == 0 }

  public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Interns byte strings: each distinct value is stored once and named by a `Symbol`.
///
/// Lookup hashes the bytes in place (no `String` is built for a value already seen), probes an
/// open-addressing table and compares with `memcmp`, so interning a field costs about as much as
/// reading it. The symbols' bytes are kept in one growing arena. Symbols are numbered in the
/// order first seen, so the same input gives the same numbers.
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

  /// The number of symbols, not counting `.none`.
  public var count: Int { spans.count - 1 }

  /// The symbol for `bytes`; empty input is `.none`.
  public func intern(_ bytes: UnsafeRawBufferPointer) -> Symbol {
    guard !bytes.isEmpty else { return .none }
    let hash = Self.hash(bytes)
    let mask = slots.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let candidate = slots[slot]
      if candidate == 0 { break }
      if hashes[Int(candidate)] == hash && equals(Int(candidate), bytes) {
        return Symbol(rawValue: candidate)
      }
      slot = (slot + 1) & mask
    }
    return locked {
      let symbol = UInt32(spans.count)
      spans.append((arena.count, bytes.count))
      arena.append(contentsOf: bytes)
      hashes.append(hash)
      strings.append(nil)
      slots[slot] = symbol
      if spans.count * 4 > slots.count * 3 { grow() }
      return Symbol(rawValue: symbol)
    }
  }

  /// The symbol for `string`; empty is `.none`.
  public func intern(_ string: String) -> Symbol {
    var string = string
    return string.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
  }

  /// The symbol's text (made once, then cached); `nil` for `.none`.
  public func string(_ symbol: Symbol) -> String? {
    guard !symbol.isNone else { return nil }
    let index = Int(symbol.rawValue)
    return locked {
      if let cached = strings[index] { return cached }
      let made = unlockedBytes(symbol) { String(decoding: $0, as: UTF8.self) }
      strings[index] = made
      return made
    }
  }

  /// Calls `body` with the symbol's bytes (empty for `.none`).
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

  private func equals(_ symbol: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
    let span = spans[symbol]
    guard span.count == bytes.count else { return false }
    return arena.withUnsafeBytes { all in
      memcmp(all.baseAddress! + span.start, bytes.baseAddress!, span.count) == 0
    }
  }

  private func grow() {
    slots = Array(repeating: 0, count: slots.count * 2)
    let mask = slots.count - 1
    for symbol in 1..<spans.count {
      var slot = Int(truncatingIfNeeded: hashes[symbol]) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = UInt32(symbol)
    }
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
