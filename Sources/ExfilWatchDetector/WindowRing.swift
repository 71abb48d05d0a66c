import ExfilWatchEvent

/// A key's recent reads in one horizon, one bucket per hop: enough buckets for the window
/// plus the allowed lateness, so an event may land in its own bucket until the window that
/// holds it is judged.
struct WindowRing {
  struct Bucket: Codable {
    /// The hop number (event time / hop) the bucket holds; `.min` for an empty slot.
    var hop: Int64 = .min
    var records: Int64 = 0
    var reads: Int64 = 0
    var firstTime: Int64 = .max
    var lastTime: Int64 = .min
    var breakdown = WindowBreakdown()
    var samples = EventSamples()
    /// The log format of the reads (the first one's where a key's reads come from several),
    /// for the finding's metadata.
    var format: LogFormat?

    /// Empties the bucket for `hop`, keeping its storage: a key's ring turns over a bucket a
    /// minute, and allocating each anew was most of the detector's malloc traffic.
    mutating func reuse(for hop: Int64) {
      self.hop = hop
      records = 0
      reads = 0
      firstTime = .max
      lastTime = .min
      breakdown.removeAll()
      samples.removeAll()
      format = nil
    }
  }

  // Internal, not private, only so that DetectorState can save and restore them.
  var buckets: [Bucket]
  /// The newest hop number added.
  var newestHop: Int64 = .min

  init(slots: Int) {
    buckets = Array(repeating: Bucket(), count: slots)
  }

  /// Whether `hop` can still be held (it is not older than the oldest slot).
  func holds(hop: Int64) -> Bool {
    newestHop == .min || hop > newestHop - Int64(buckets.count)
  }

  mutating func add(_ event: AccessEvent, hop: Int64) {
    let slot = Int(hop.modulo(buckets.count))
    if buckets[slot].hop != hop { buckets[slot].reuse(for: hop) }
    buckets[slot].records += event.records
    buckets[slot].reads += 1
    buckets[slot].firstTime = min(buckets[slot].firstTime, event.time)
    buckets[slot].lastTime = max(buckets[slot].lastTime, event.time)
    buckets[slot].breakdown.add(event)
    buckets[slot].samples.add(event)
    if buckets[slot].format == nil {
      buckets[slot].format = event.format
    }
    newestHop = max(newestHop, hop)
  }

  /// Records and reads of the window of `hops` hops ending with hop `end`.
  func totals(endingAt end: Int64, hops: Int) -> (records: Int64, reads: Int64) {
    var records: Int64 = 0
    var reads: Int64 = 0
    // By index: iterating the buckets themselves would copy (retain and release) each one's
    // breakdown and samples, on the detector's busiest path.
    for slot in buckets.indices where buckets[slot].hop > end - Int64(hops) && buckets[slot].hop <= end {
      records += buckets[slot].records
      reads += buckets[slot].reads
    }
    return (records, reads)
  }

  /// The window's buckets merged into one, for a finding's evidence.
  func merged(endingAt end: Int64, hops: Int) -> Bucket {
    var window = Bucket()
    for bucket in buckets where bucket.hop > end - Int64(hops) && bucket.hop <= end {
      window.records += bucket.records
      window.reads += bucket.reads
      window.firstTime = min(window.firstTime, bucket.firstTime)
      window.lastTime = max(window.lastTime, bucket.lastTime)
      window.breakdown.merge(bucket.breakdown)
      window.samples.merge(bucket.samples)
      if window.format == nil {
        window.format = bucket.format
      }
    }
    return window
  }
}

/// The earliest few reads of a stretch of time, by (time, event id): the same ones whatever
/// order the reads arrived in.
struct EventSamples: Codable {
  struct Sample: Codable {
    var time: Int64
    var eventID: EventID?
    var origin: EventOrigin
  }

  static let limit = 3
  private(set) var samples: [Sample] = []

  mutating func add(_ event: AccessEvent) {
    // Most reads come after the samples already kept: decided by time alone, before a sample
    // (and its event id) is made.
    if samples.count == Self.limit, event.time > samples[Self.limit - 1].time { return }
    insert(Sample(time: event.time, eventID: event.eventID, origin: event.origin))
  }

  mutating func removeAll() { samples.removeAll(keepingCapacity: true) }

  mutating func merge(_ other: EventSamples) {
    for sample in other.samples { insert(sample) }
  }

  private mutating func insert(_ sample: Sample) {
    if samples.count == Self.limit, let last = samples.last, !Self.precedes(sample, last) { return }
    let index = samples.firstIndex { Self.precedes(sample, $0) } ?? samples.count
    samples.insert(sample, at: index)
    if samples.count > Self.limit { samples.removeLast() }
  }

  private static func precedes(_ a: Sample, _ b: Sample) -> Bool {
    if a.time != b.time { return a.time < b.time }
    guard let first = a.eventID else { return false }
    guard let second = b.eventID else { return true }
    return first.withBytes { x in second.withBytes { y in x.lexicographicallyPrecedes(y) } }
  }
}

extension Int64 {
  /// The non-negative remainder, for ring slots of negative hop numbers (times before 1970).
  func modulo(_ divisor: Int) -> Int64 {
    let remainder = self % Int64(divisor)
    return remainder < 0 ? remainder + Int64(divisor) : remainder
  }

  /// Division rounding towards minus infinity: the hop an event time falls in.
  func floorDivided(by divisor: Int64) -> Int64 {
    let quotient = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
  }
}
