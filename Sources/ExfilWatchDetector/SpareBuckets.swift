/// Buckets that rings have dropped, emptied with their storage kept, for the next bucket a
/// ring opens: a key opens a bucket each hop it reads in (each minute, in the 5-minute
/// horizon), and allocating each one's breakdown and samples anew was most of the detector's
/// allocations (two or three per new bucket, about 14 per event on the bundled week).
struct SpareBuckets {
  private var buckets: [WindowRing.Bucket] = []

  /// Spares kept at most: enough for a hop's turnover of many keys, a few MB at most.
  static let limit = 4_096

  /// An empty bucket for `hop`, a spare when there is one.
  mutating func take(hop: Int64) -> WindowRing.Bucket {
    guard var bucket = buckets.popLast() else { return WindowRing.Bucket(hop: hop) }
    bucket.reuse(for: hop)
    return bucket
  }

  /// Takes `bucket`'s storage, leaving an empty bucket in its place (moved, not copied: a
  /// copy would retain and then release its breakdown and samples), but for a long entry
  /// list (`WindowBreakdown.removeAllReleasingLargeLists`).
  mutating func keep(_ bucket: inout WindowRing.Bucket) {
    guard buckets.count < Self.limit else { return }
    var taken = WindowRing.Bucket(hop: .min)
    swap(&taken, &bucket)
    taken.breakdown.removeAllReleasingLargeLists()
    buckets.append(consume taken)
  }
}
