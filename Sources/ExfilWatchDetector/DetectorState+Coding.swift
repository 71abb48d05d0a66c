import ExfilWatchEvent

// The parts of saved detector state that are not synthesized: a baseline's fixed-size array,
// and a window ring (its size and the buckets it holds).

extension Baseline: Codable {
  private enum CodingKeys: String, CodingKey {
    case peaks, next, mean, variance, busiest, days
  }

  /// Only the peaks stored: the slots past them have never been written and hold zero.
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode((0..<Int(stored)).map { peaks[$0] }, forKey: .peaks)
    try container.encode(Int(next), forKey: .next)
    try container.encode(mean, forKey: .mean)
    try container.encode(variance, forKey: .variance)
    try container.encode(busiest, forKey: .busiest)
    try container.encode(days, forKey: .days)
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let peaks = try container.decode([Float].self, forKey: .peaks)
    let next = try container.decode(Int.self, forKey: .next)
    guard peaks.count <= Self.memoryDays, (0..<Self.memoryDays).contains(next) else {
      throw DecodingError.dataCorruptedError(
        forKey: .peaks, in: container, debugDescription: "\(peaks.count) daily peaks, the next at \(next)")
    }
    for index in peaks.indices { self.peaks[index] = peaks[index] }
    self.stored = UInt8(peaks.count)
    self.next = UInt8(next)
    mean = try container.decode(Double.self, forKey: .mean)
    variance = try container.decode(Double.self, forKey: .variance)
    busiest = try container.decode(Double.self, forKey: .busiest)
    days = try container.decode(Double.self, forKey: .days)
  }
}

extension WindowRing.Bucket: Codable {
  private enum CodingKeys: String, CodingKey {
    case hop, records, reads, firstTime, lastTime, breakdown, samples, format
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(hop, forKey: .hop)
    try container.encode(records, forKey: .records)
    try container.encode(reads, forKey: .reads)
    try container.encode(firstTime, forKey: .firstTime)
    try container.encode(lastTime, forKey: .lastTime)
    try container.encode(breakdown, forKey: .breakdown)
    try container.encode(samples, forKey: .samples)
    try container.encodeIfPresent(format, forKey: .format)
  }

  /// The totals are saved beside the breakdown (which holds them) as before; they must agree.
  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(hop: try container.decode(Int64.self, forKey: .hop))
    firstTime = try container.decode(Int64.self, forKey: .firstTime)
    lastTime = try container.decode(Int64.self, forKey: .lastTime)
    breakdown = try container.decode(WindowBreakdown.self, forKey: .breakdown)
    samples = try container.decode(EventSamples.self, forKey: .samples)
    format = try container.decodeIfPresent(LogFormat.self, forKey: .format)
    let totals = (try container.decode(Int64.self, forKey: .records), try container.decode(Int64.self, forKey: .reads))
    guard totals == (records, reads) else {
      throw DecodingError.dataCorruptedError(
        forKey: .records, in: container,
        debugDescription: "bucket of hop \(hop): totals \(totals) but its breakdown sums to \((records, reads))")
    }
  }
}

/// A ring as saved: its size and its buckets, oldest first (in the detector, its buckets are
/// in the `BucketStore`).
struct SavedRing: Codable {
  var slots: Int
  var newestHop: Int64
  var buckets: [WindowRing.Bucket]

  private enum CodingKeys: String, CodingKey {
    case slots, newestHop, buckets
  }

  init(_ ring: WindowRing, store: borrowing BucketStore) {
    slots = Int(ring.slots)
    newestHop = ring.newestHop
    buckets = ring.buckets(in: store)
  }

  /// The ring, its buckets put in `store`.
  func ring(in store: inout BucketStore) -> WindowRing {
    WindowRing(slots: slots, newestHop: newestHop, buckets: buckets, store: &store)
  }

  /// Buckets older than the ring holds are left out: state saved when every slot was kept
  /// may have some.
  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    slots = try container.decode(Int.self, forKey: .slots)
    guard (1...Self.largestSlotCount).contains(slots) else {
      throw DecodingError.dataCorruptedError(forKey: .slots, in: container, debugDescription: "\(slots) slots")
    }
    newestHop = try container.decode(Int64.self, forKey: .newestHop)
    buckets = []
    for bucket in try container.decode([WindowRing.Bucket].self, forKey: .buckets).sorted(by: { $0.hop < $1.hop }) {
      guard bucket.hop != .min, bucket.hop != buckets.last?.hop, bucket.hop <= newestHop else {
        throw DecodingError.dataCorruptedError(
          forKey: .buckets, in: container, debugDescription: "bucket of hop \(bucket.hop) misplaced")
      }
      if bucket.hop > newestHop - Int64(slots) { buckets.append(bucket) }
    }
  }

  /// More than any configuration makes (64 hops and a lateness of a day in minutes); a bound
  /// so damaged state cannot take the hop arithmetic past its range.
  private static let largestSlotCount = 1 << 16
}

extension DetectorConfiguration {
  /// What differs between `self` (saved) and `current`, named as a person configures it.
  func differences(from current: Self) -> [String] {
    func names(_ dimensions: [Dimension]) -> String { dimensions.map(\.description).joined(separator: ", ") }
    func names(_ horizons: [Horizon]) -> String { horizons.map(\.name).joined(separator: ", ") }
    var found: [String] = []
    if dimensions != current.dimensions {
      found.append("dimensions: \(names(dimensions)) saved, \(names(current.dimensions)) now")
    }
    if horizons.map(\.name) != current.horizons.map(\.name) {
      found.append("horizons: \(names(horizons)) saved, \(names(current.horizons)) now")
    } else {
      for (saved, now) in zip(horizons, current.horizons) where saved != now {
        found.append("horizon \(saved.name): window, hop or thresholds")
      }
    }
    let scalars: [(String, Bool)] = [
      ("allowed lateness", allowedLateness != current.allowedLateness), ("warm-up", warmUp != current.warmUp),
      ("quiet period", quietPeriod != current.quietPeriod),
      ("peer weight days", peerWeightDays != current.peerWeightDays),
      ("relearn after", relearnAfter != current.relearnAfter),
      ("max tracked keys", maxTrackedKeys != current.maxTrackedKeys),
    ]
    found += scalars.filter(\.1).map(\.0)
    return found.isEmpty ? ["the configuration"] : found
  }
}
