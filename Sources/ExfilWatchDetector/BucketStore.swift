/// Every bucket of the detector's rings, in chunks that never move: a ring names its buckets by
/// number and links them oldest to newest through the store (`WindowRing`).
///
/// Each ring had kept its buckets in an array of its own, some 200 bytes each: opening and
/// dropping a bucket moved it in and out of that array and a list of spares, and every touch
/// checked that the array was not shared (6% of an sf-elf replay's instructions, 17% of its
/// last-level misses). Here a bucket stays where it was made for as long as the detector
/// lives, and a dropped one goes on a free list. So the store holds as many buckets as were
/// ever open at once (it never gives them back), but the lists of only `keptLists` free ones
/// (and of those, no long entry list: `WindowBreakdown.removeAllReleasingLargeLists`): most
/// buckets opened again soon get a second read, and allocating their lists anew cost 4% on
/// the 30-day sets, where keeping every free bucket's lists took 17% more memory at 100,000
/// actors than letting them go. A bucket opened is one with lists while there is one, the
/// one dropped last, still in cache.
struct BucketStore: ~Copyable {
  /// A bucket and its neighbours in its ring (`none` at either end); a free slot's `newer` is
  /// the next free slot of its list. The links first, beside the bucket's hop and totals: the
  /// judging step walks a ring's buckets for those alone, at every hop.
  struct Slot {
    var older: Int32
    var newer: Int32
    var bucket: WindowRing.Bucket
  }

  /// No bucket.
  static let none: Int32 = -1
  private static let chunkShift = 12
  private static let chunkSize = 1 << chunkShift

  // Plain pointers, not an array of chunks in a class: every touch of a bucket reached the
  // store through a reference (and the chunks through an array), each retained and released
  // around the call, 12% of a one-thread sf-elf profile.
  /// The chunks, `chunkCount` of room for `chunkCapacity`.
  private var chunks: UnsafeMutablePointer<UnsafeMutablePointer<Slot>>
  private var chunkCount = 0
  private var chunkCapacity = 16
  /// Slots made (all initialized), free ones included.
  private(set) var made = 0
  /// The free slots whose bucket kept its lists, and the others.
  private var firstFree = none
  private var firstBare = none
  private(set) var freeCount = 0
  private(set) var bareCount = 0
  /// Free buckets that keep their lists at most: a hop's turnover of many keys.
  static let keptLists = 4_096

  init() {
    chunks = .allocate(capacity: chunkCapacity)
  }

  deinit {
    for number in 0..<chunkCount {
      chunks[number].deinitialize(count: min(Self.chunkSize, made - (number << Self.chunkShift)))
      chunks[number].deallocate()
    }
    chunks.deallocate()
  }

  /// The slot of bucket `number`, which stays where it is while the store lives.
  @inline(__always)
  subscript(number: Int32) -> UnsafeMutablePointer<Slot> {
    chunks[Int(number) >> Self.chunkShift] + (Int(number) & (Self.chunkSize - 1))
  }

  /// An empty bucket for `hop`, linked to nothing: the free one released last, one with its
  /// lists first.
  mutating func take(hop: Int64) -> Int32 {
    let number: Int32
    if firstFree != Self.none {
      number = firstFree
      firstFree = self[number].pointee.newer
      freeCount -= 1
      self[number].pointee.bucket.reuse(for: hop)
    } else if firstBare != Self.none {
      number = firstBare
      firstBare = self[number].pointee.newer
      bareCount -= 1
      self[number].pointee.bucket.reuse(for: hop)
    } else {
      if made == chunkCount << Self.chunkShift { addChunk() }
      number = Int32(made)
      made += 1
      self[number].initialize(to: Slot(older: Self.none, newer: Self.none, bucket: WindowRing.Bucket(hop: hop)))
    }
    self[number].pointee.older = Self.none
    self[number].pointee.newer = Self.none
    return number
  }

  private mutating func addChunk() {
    if chunkCount == chunkCapacity {
      let grown = UnsafeMutablePointer<UnsafeMutablePointer<Slot>>.allocate(capacity: 2 * chunkCapacity)
      grown.moveInitialize(from: chunks, count: chunkCount)
      chunks.deallocate()
      chunks = grown
      chunkCapacity *= 2
    }
    (chunks + chunkCount).initialize(to: .allocate(capacity: Self.chunkSize))
    chunkCount += 1
  }

  /// Puts bucket `number` on a free list, emptied. Its links become the free list's: the
  /// caller reads them first.
  mutating func release(_ number: Int32) {
    if freeCount < Self.keptLists {
      self[number].pointee.bucket.breakdown.removeAllReleasingLargeLists()
      self[number].pointee.newer = firstFree
      firstFree = number
      freeCount += 1
    } else {
      self[number].pointee.bucket = WindowRing.Bucket(hop: .min)
      self[number].pointee.newer = firstBare
      firstBare = number
      bareCount += 1
    }
  }
}
