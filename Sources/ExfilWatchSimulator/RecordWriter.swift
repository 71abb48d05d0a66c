/// Renders simulated events as the text of one log format.
protocol RecordWriter: AnyObject {
  /// What starts every file (the ELF CSV header; nothing for JSON lines).
  func writeHeader(to buffer: RecordBuffer)
  /// Appends one record, with its line end.
  func write(_ event: SimulatedEvent, to buffer: RecordBuffer)
}

/// The keys of recently used sessions. Hundreds of agents' sessions are open at once and each
/// record needs its keys; making them from the seed each time would cost more than the rest
/// of the record, so they are kept in a small direct-mapped cache (memory stays bounded however
/// many sessions a run has).
struct SessionKeyCache {
  private static let slots = 4096
  private var seeds = [UInt64](repeating: 0, count: slots)
  private var keys = [SessionKeys?](repeating: nil, count: slots)
  private static let none = SessionKeys()

  /// The keys of session `seed`; empty keys for 0 (calls outside a session).
  mutating func keys(for seed: UInt64) -> SessionKeys {
    guard seed != 0 else { return Self.none }
    let slot = Int(truncatingIfNeeded: SplitMix64.mix(seed)) & (Self.slots - 1)
    if seeds[slot] == seed, let cached = keys[slot] { return cached }
    let made = SessionKeys(seed: seed)
    seeds[slot] = seed
    keys[slot] = made
    return made
  }
}

