/// The records and reads per hop of one horizon's active keys, packed side by side: what
/// judging reads of every active key at every hop.
///
/// A key's `WindowRing` holds the same counts beside its evidence (who read what, samples),
/// but reaching it takes four dependent loads (the key, its horizons, its ring, the bucket)
/// that mostly miss the cache; judging several thousand keys a minute was then bound by
/// memory latency. Here a key's counts are one block of adjacent buckets, taken from a pool
/// while the key is active and given back when it goes idle, so the memory follows the
/// active keys, not all the keys ever seen. Derived data: never saved, rebuilt from the rings.
struct WindowCounts {
  struct Bucket {
    var hop: Int64 = .min
    var records: Int64 = 0
    var reads: Int64 = 0
  }

  /// Buckets per block: the horizon's ring size.
  let slots: Int
  private var buckets: [Bucket] = []
  /// Per block, the newest hop added.
  private var newest: [Int64] = []
  private var freeBlocks: [Int32] = []

  init(slots: Int) {
    self.slots = slots
  }

  /// A block of empty buckets.
  mutating func takeBlock() -> Int32 {
    if let block = freeBlocks.popLast() { return block }
    newest.append(.min)
    buckets.append(contentsOf: repeatElement(Bucket(), count: slots))
    return Int32(newest.count - 1)
  }

  /// Empties `block` and returns it to the pool.
  mutating func giveBack(_ block: Int32) {
    let base = Int(block) * slots
    for index in base..<base + slots { buckets[index] = Bucket() }
    newest[Int(block)] = .min
    freeBlocks.append(block)
  }

  mutating func add(records: Int64, reads: Int64, hop: Int64, to block: Int32) {
    let index = Int(block) * slots + Int(hop.modulo(slots))
    if buckets[index].hop != hop { buckets[index] = Bucket(hop: hop) }
    buckets[index].records += records
    buckets[index].reads += reads
    newest[Int(block)] = max(newest[Int(block)], hop)
  }

  /// The newest hop added to `block`.
  func newestHop(of block: Int32) -> Int64 { newest[Int(block)] }

  /// Records and reads of the window of `hops` hops ending with hop `end`.
  func totals(of block: Int32, endingAt end: Int64, hops: Int) -> (records: Int64, reads: Int64) {
    var records: Int64 = 0
    var reads: Int64 = 0
    let base = Int(block) * slots
    for index in base..<base + slots where buckets[index].hop > end - Int64(hops) && buckets[index].hop <= end {
      records += buckets[index].records
      reads += buckets[index].reads
    }
    return (records, reads)
  }

  /// A block holding the counts of `ring` (a restored key's).
  mutating func takeBlock(copying ring: WindowRing) -> Int32 {
    let block = takeBlock()
    for bucket in ring.buckets where bucket.hop != .min {
      add(records: bucket.records, reads: bucket.reads, hop: bucket.hop, to: block)
    }
    return block
  }
}
