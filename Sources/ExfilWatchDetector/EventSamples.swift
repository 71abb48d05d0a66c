import ExfilWatchEvent

/// The earliest few reads of a stretch of time, by (time, event id): the same ones whatever
/// order the reads arrived in.
///
/// The earliest is held in place and the others on the heap: most buckets of a key that reads
/// now and then hold one read, and a list of `limit` samples for each had been nearly a third
/// of the detector's heap.
struct EventSamples {
  struct Sample: Codable {
    var time: Int64
    var origin: EventOrigin
    var eventID: EventID?
  }

  static let limit = 3
  /// The time of the last sample once there are `limit` of them, `Int64.max` before: a read
  /// after it cannot be a sample.
  private var cutoff = Int64.max
  /// The samples after `earliest`, in order, while `hasLater`. Left as it was when the
  /// samples are emptied, and emptied only when a second sample comes: a bucket reused for a
  /// key's next hop mostly gets none, and reaching the list's storage to empty it was a cache
  /// miss per reuse.
  private var later: [Sample] = []
  private var earliest: Sample?
  /// Whether `later` is in use (else what it holds is stale). Last, in the padding after
  /// `earliest` (see `WindowBreakdown`).
  private var hasLater = false

  /// In order.
  var samples: [Sample] { earliest.map { [$0] + (hasLater ? later : []) } ?? [] }

  mutating func add(_ event: AccessEvent) {
    // Most reads come after the samples already kept: decided by time alone, before a sample
    // (and its event id) is made.
    if event.time > cutoff { return }
    insert(Sample(time: event.time, origin: event.origin, eventID: event.eventID))
  }

  mutating func removeAll() {
    earliest = nil
    cutoff = .max
    hasLater = false
  }

  mutating func merge(_ other: EventSamples) {
    for sample in other.samples { insert(sample) }
  }

  private mutating func insert(_ sample: Sample) {
    guard let first = earliest else {
      earliest = sample
      return
    }
    if !hasLater {
      hasLater = true
      later.removeAll(keepingCapacity: true)
      later.reserveCapacity(Self.limit - 1)
    }
    if Self.precedes(sample, first) {
      earliest = sample
      later.insert(first, at: 0)
      if later.count == Self.limit { later.removeLast() }
    } else {
      if later.count == Self.limit - 1 {
        guard Self.precedes(sample, later[Self.limit - 2]) else { return }
        later.removeLast()
      }
      let index = later.firstIndex { Self.precedes(sample, $0) } ?? later.count
      later.insert(sample, at: index)
    }
    if later.count == Self.limit - 1 { cutoff = later[Self.limit - 2].time }
  }

  private static func precedes(_ a: Sample, _ b: Sample) -> Bool {
    if a.time != b.time { return a.time < b.time }
    guard let first = a.eventID else { return false }
    guard let second = b.eventID else { return true }
    return first.withBytes { x in second.withBytes { y in x.lexicographicallyPrecedes(y) } }
  }
}

extension EventSamples: Codable {
  private enum CodingKeys: String, CodingKey { case samples }

  init(from decoder: any Decoder) throws {
    self.init()
    for sample in try decoder.container(keyedBy: CodingKeys.self).decode([Sample].self, forKey: .samples) {
      insert(sample)
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(samples, forKey: .samples)
  }
}
