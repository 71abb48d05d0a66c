import ExfilWatchEvent

/// A key's recent reads in one horizon, one bucket per hop that has reads: the buckets of the
/// window still to be judged and of the allowed lateness ahead of it, so an event may land in
/// its own bucket until the window that holds it is judged.
///
/// Only buckets with reads are kept (in the detector's `BucketStore`), oldest first, and the
/// judging step drops those its windows have passed: most keys read in one or two hops of a
/// window, and a fixed slot per hop kept every slot (and the evidence of reads long judged)
/// alive for as long as the key was active, about 10 KB a key.
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

    /// Empties the bucket for `hop`, keeping its storage (see `BucketStore`).
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
  let slots: Int32
  /// The ring's buckets in the detector's `BucketStore`, by hop, linked oldest to newest. A
  /// ring is a handle into the store: a copy must not be changed, or the original would link
  /// buckets the copy released.
  private(set) var oldest = BucketStore.none
  private(set) var newest = BucketStore.none
  /// The newest hop number added.
  var newestHop: Int64 = .min

  init(slots: Int) {
    self.slots = Int32(slots)
  }

  var isEmpty: Bool { oldest == BucketStore.none }

  /// Whether `hop` can still be held (it is not older than the oldest slot).
  func holds(hop: Int64) -> Bool {
    newestHop == .min || hop > newestHop - Int64(slots)
  }

  mutating func add(_ event: AccessEvent, hop: Int64, store: inout BucketStore) {
    // Most reads go to the newest bucket: searched from the end.
    var older = newest
    while older != BucketStore.none && store[older].pointee.bucket.hop > hop { older = store[older].pointee.older }
    var number = older
    if older == BucketStore.none || store[older].pointee.bucket.hop != hop {
      number = store.take(hop: hop)
      link(number, after: older, store: store)
    }
    store[number].pointee.bucket.add(event)
    if hop > newestHop {
      newestHop = hop
      dropBuckets(before: hop - Int64(slots) + 1, store: &store)
    }
  }

  /// Links bucket `number` in after `older` (first when it is `none`).
  private mutating func link(_ number: Int32, after older: Int32, store: borrowing BucketStore) {
    let newer = older == BucketStore.none ? oldest : store[older].pointee.newer
    store[number].pointee.older = older
    store[number].pointee.newer = newer
    if older == BucketStore.none { oldest = number } else { store[older].pointee.newer = number }
    if newer == BucketStore.none { newest = number } else { store[newer].pointee.older = number }
  }

  /// Forgets the buckets of hops before `hop`, handing them back to `store`.
  mutating func dropBuckets(before hop: Int64, store: inout BucketStore) {
    while oldest != BucketStore.none && store[oldest].pointee.bucket.hop < hop { dropOldest(store: &store) }
  }

  private mutating func dropOldest(store: inout BucketStore) {
    let next = store[oldest].pointee.newer
    store.release(oldest)
    oldest = next
    if next == BucketStore.none { newest = BucketStore.none } else { store[next].pointee.older = BucketStore.none }
  }

  /// Forgets every bucket (handed back to `store`) and the newest hop: the ring of an idle
  /// key, which keeps no storage (most keys of a large org are idle in a short horizon).
  mutating func clear(store: inout BucketStore) {
    while oldest != BucketStore.none { dropOldest(store: &store) }
    newestHop = .min
  }

  /// Records and reads of the window of `hops` hops ending with hop `end`.
  func totals(endingAt end: Int64, hops: Int, store: borrowing BucketStore) -> (records: Int64, reads: Int64) {
    var records: Int64 = 0
    var reads: Int64 = 0
    var number = oldest
    while number != BucketStore.none {
      let slot = store[number]
      let bucketHop = slot.pointee.bucket.hop
      if bucketHop > end { break }
      if bucketHop > end - Int64(hops) {
        records += slot.pointee.bucket.records
        reads += slot.pointee.bucket.reads
      }
      number = slot.pointee.newer
    }
    return (records, reads)
  }

  /// The ring's buckets, oldest first (copies, for saving and marking their symbols).
  func buckets(in store: borrowing BucketStore) -> [Bucket] {
    var buckets: [Bucket] = []
    var number = oldest
    while number != BucketStore.none {
      buckets.append(store[number].pointee.bucket)
      number = store[number].pointee.newer
    }
    return buckets
  }

  /// The window's buckets merged into one, for a finding's evidence.
  func merged(endingAt end: Int64, hops: Int, store: borrowing BucketStore) -> Bucket {
    var window = Bucket(hop: end)
    var number = oldest
    while number != BucketStore.none && store[number].pointee.bucket.hop <= end {
      if store[number].pointee.bucket.hop > end - Int64(hops) { window.merge(store[number].pointee.bucket) }
      number = store[number].pointee.newer
    }
    return window
  }

  /// A ring holding `buckets` (by hop, oldest first, each newer than the one before), put in
  /// `store`.
  init(slots: Int, newestHop: Int64, buckets: [Bucket], store: inout BucketStore) {
    self.init(slots: slots)
    self.newestHop = newestHop
    for bucket in buckets {
      let number = store.take(hop: bucket.hop)
      store[number].pointee.bucket = bucket
      link(number, after: newest, store: store)
    }
  }
}

extension Int64 {
  /// Division rounding towards minus infinity: the hop an event time falls in.
  func floorDivided(by divisor: Int64) -> Int64 {
    let quotient = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
  }
}
