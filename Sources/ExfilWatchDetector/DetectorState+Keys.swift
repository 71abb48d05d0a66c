import ExfilWatchEvent

// A key as saved state holds it: one value per key with its horizons and their buckets inside,
// as the detector kept it before its per-horizon arrays (so states saved then still restore).

/// One key's slot, as saved.
struct SavedKey: Codable {
  var key: DetectorKey
  var lastSeen: Int64
  var usualClient: Symbol
  var latestClient: Symbol
  var latestDay: Int64
  /// Empty for a free slot.
  var horizons: [SavedHorizon]
}

/// One key in one horizon, as saved: its state with its ring (nil while the key is idle there)
/// among the state's fields.
struct SavedHorizon: Codable {
  var state: HorizonState
  var ring: SavedRing?

  private enum RingKey: String, CodingKey { case ring }

  init(state: HorizonState, ring: SavedRing?) {
    self.state = state
    self.ring = ring
  }

  init(from decoder: any Decoder) throws {
    state = try HorizonState(from: decoder)
    ring = try decoder.container(keyedBy: RingKey.self).decodeIfPresent(SavedRing.self, forKey: .ring)
  }

  func encode(to encoder: any Encoder) throws {
    try state.encode(to: encoder)
    var container = encoder.container(keyedBy: RingKey.self)
    try container.encodeIfPresent(ring, forKey: .ring)
  }
}

extension Detector {
  /// The slot `index` as saved (free ones too, so slot numbers stay as they were).
  func savedKey(at index: Int) -> SavedKey {
    let state = keys[index]
    let horizons = state.isFree ? [] : horizonStates.indices.map { h in
      SavedHorizon(
        state: horizonStates[h][index],
        ring: horizonStates[h][index].listed ? SavedRing(rings[h][index], store: buckets) : nil)
    }
    return SavedKey(
      key: state.key, lastSeen: state.lastSeen, usualClient: state.usualClient, latestClient: state.latestClient,
      latestDay: state.latestDay, horizons: horizons)
  }

  /// Lays out `saved` (checked by `DetectorSnapshot.validated()`) in the detector's arrays;
  /// the slots in `free` are left empty.
  func restoreKeys(_ saved: [SavedKey], free: Set<Int32>) {
    keys = saved.indices.map { index in
      KeyState(
        key: saved[index].key, lastSeen: saved[index].lastSeen, usualClient: saved[index].usualClient,
        latestClient: saved[index].latestClient, latestDay: saved[index].latestDay,
        isFree: free.contains(Int32(index)))
    }
    buckets = BucketStore()
    for (h, horizon) in configuration.horizons.enumerated() {
      let empty = WindowRing(slots: ringSlots(horizon))
      horizonStates[h] = saved.indices.map { free.contains(Int32($0)) ? HorizonState() : saved[$0].horizons[h].state }
      rings[h] = saved.indices.map { index in
        // Only a listed key has buckets (as saved; `Detector.admit` relies on it).
        guard !free.contains(Int32(index)), saved[index].horizons[h].state.listed,
          let ring = saved[index].horizons[h].ring
        else { return empty }
        return ring.ring(in: &buckets)
      }
    }
    reserveKeySlots()
  }
}
