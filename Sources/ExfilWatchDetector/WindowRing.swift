import ExfilWatchEvent

/// A key's recent reads in one horizon, one bucket per hop that has reads: the buckets of the
/// window still to be judged and of the allowed lateness ahead of it, so an event may land in
/// its own bucket until the window that holds it is judged.
///
/// Only buckets with reads are kept, oldest first, and the judging step drops those its
/// windows have passed: most keys read in one or two hops of a window, and a fixed slot per
/// hop kept every slot (and the evidence of reads long judged) alive for as long as the key
/// was active, about 10 KB a key.
struct WindowRing {
  struct Bucket {
    /// The hop number (event time / hop) the bucket holds.
    var hop: Int64
    var firstTime: Int64 = .max
    var lastTime: Int64 = .min
    /// The reads' sums, in all and by field.
    var breakdown = WindowBreakdown()
    /// The log format of the reads (the first one's where a key's reads come from several),
    /// for the finding's metadata. (Here, in the breakdown's last padding.)
    var format: LogFormat?
    var samples = EventSamples()

    init(hop: Int64) {
      self.hop = hop
    }

    var records: Int64 { breakdown.records }
    var reads: Int64 { breakdown.reads }

    /// Counts `event` (one access to the bucket, not one per field: each access to a bucket
    /// in the ring checks that the ring's storage is not shared).
    mutating func add(_ event: AccessEvent) {
      firstTime = min(firstTime, event.time)
      lastTime = max(lastTime, event.time)
      breakdown.add(event)
      samples.add(event)
      if format == nil { format = event.format }
    }

    /// Adds `other`'s reads, for a window's evidence.
    mutating func merge(_ other: Bucket) {
      firstTime = min(firstTime, other.firstTime)
      lastTime = max(lastTime, other.lastTime)
      breakdown.merge(other.breakdown)
      samples.merge(other.samples)
      if format == nil { format = other.format }
    }

    /// Empties the bucket for `hop`, keeping its storage (see `SpareBuckets`).
    mutating func reuse(for hop: Int64) {
      self.hop = hop
      firstTime = .max
      lastTime = .min
      breakdown.removeAll()
      samples.removeAll()
      format = nil
    }
  }

  /// How many hops, back from the newest, the ring holds: the window plus the lateness.
  let slots: Int
  // Internal, not private, only so that DetectorState can save and restore them.
  /// By hop, oldest first.
  var buckets: [Bucket] = []
  /// The newest hop number added.
  var newestHop: Int64 = .min

  init(slots: Int) {
    self.slots = slots
  }

  /// Whether `hop` can still be held (it is not older than the oldest slot).
  func holds(hop: Int64) -> Bool {
    newestHop == .min || hop > newestHop - Int64(slots)
  }

  mutating func add(_ event: AccessEvent, hop: Int64, spares: inout SpareBuckets) {
    // Most reads go to the newest bucket: searched from the end.
    var index = buckets.count - 1
    while index >= 0 && buckets[index].hop > hop { index -= 1 }
    if index < 0 || buckets[index].hop != hop {
      index += 1
      // Appended where it can be: `insert` copies the bucket in (retaining and releasing its
      // lists), where `append` moves it.
      if index == buckets.count {
        buckets.append(spares.take(hop: hop))
      } else {
        buckets.insert(spares.take(hop: hop), at: index)
      }
    }
    buckets[index].add(event)
    if hop > newestHop {
      newestHop = hop
      dropBuckets(before: hop - Int64(slots) + 1, into: &spares)
    }
  }

  /// Forgets the buckets of hops before `hop`, handing them to `spares`.
  mutating func dropBuckets(before hop: Int64, into spares: inout SpareBuckets) {
    var count = 0
    while count < buckets.count && buckets[count].hop < hop {
      spares.keep(&buckets[count])
      count += 1
    }
    if count > 0 { buckets.removeFirst(count) }
  }

  /// Forgets every bucket (handed to `spares`) and the newest hop: the ring of an idle key,
  /// which keeps no storage (most keys of a large org are idle in a short horizon).
  mutating func clear(into spares: inout SpareBuckets) {
    dropBuckets(before: .max, into: &spares)
    buckets = []
    newestHop = .min
  }

  /// Records and reads of the window of `hops` hops ending with hop `end`.
  func totals(endingAt end: Int64, hops: Int) -> (records: Int64, reads: Int64) {
    var records: Int64 = 0
    var reads: Int64 = 0
    // By index: iterating the buckets themselves would copy (retain and release) each one's
    // breakdown and samples, on the detector's busiest path.
    for index in buckets.indices where buckets[index].hop > end - Int64(hops) && buckets[index].hop <= end {
      records += buckets[index].records
      reads += buckets[index].reads
    }
    return (records, reads)
  }

  /// The window's buckets merged into one, for a finding's evidence.
  func merged(endingAt end: Int64, hops: Int) -> Bucket {
    var window = Bucket(hop: end)
    for bucket in buckets where bucket.hop > end - Int64(hops) && bucket.hop <= end {
      window.merge(bucket)
    }
    return window
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
