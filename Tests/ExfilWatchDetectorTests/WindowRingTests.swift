import ExfilWatchEvent
import ExfilWatchTestSupport
import Testing

@testable import ExfilWatchDetector

/// Rings whose buckets live in a shared `BucketStore`, against a plain reference: per hop sums
/// of the reads a ring still holds, with reads arriving out of order, buckets dropped as the
/// ring moves on or the judging step passes them, and rings cleared, so that slots are reused
/// across rings, from both of the store's first two chunks.
@Suite struct WindowRingTests {
  @Test func ringsInOneStoreKeepTheirOwnBucketsInHopOrder() {
    let factory = EventFactory()
    var store = BucketStore()
    let slots = 12
    var rings = (0..<40).map { _ in WindowRing(slots: slots) }
    var reference = Array(repeating: [Int64: (records: Int64, reads: Int64)](), count: rings.count)
    var newest = Array(repeating: Int64.min, count: rings.count)
    var random = SeededGenerator(seed: 7)
    let made = 5_000
    for number in (0..<made).map({ _ in store.take(hop: 0) }).shuffled(using: &random) { store.release(number) }
    for step in 0..<20_000 {
      let ring = Int.random(in: 0..<rings.count, using: &random)
      if step % 997 == 0 {
        rings[ring].clear(store: &store)
        reference[ring] = [:]
        newest[ring] = .min
        continue
      }
      // Mostly the newest hop or the next, sometimes an older one still held.
      let base = newest[ring] == .min ? Int64(step / 50) : newest[ring]
      let hop = base + Int64.random(in: -Int64(slots) + 1...2, using: &random)
      guard rings[ring].holds(hop: hop) else { continue }
      let records = Int64.random(in: 0...30, using: &random)
      rings[ring].add(factory.read(at: hop * 60, actor: "agent\(ring)", records: records), hop: hop, store: &store)
      reference[ring][hop, default: (0, 0)].records += records
      reference[ring][hop, default: (0, 0)].reads += 1
      newest[ring] = max(newest[ring], hop)
      reference[ring] = reference[ring].filter { $0.key > newest[ring] - Int64(slots) }
      if step % 5 == 0 {
        // The judging step passes the window ending three hops back.
        let first = newest[ring] - 3 - 4
        rings[ring].dropBuckets(before: first, store: &store)
        reference[ring] = reference[ring].filter { $0.key >= first }
      }
    }
    #expect(store.made == made)
    // Every slot is in one ring or free, and each ring's links agree both ways.
    var linked = 0
    for ring in rings {
      var backwards: [Int64] = []
      var number = ring.newest
      while number != BucketStore.none {
        backwards.append(store[number].pointee.bucket.hop)
        number = store[number].pointee.older
      }
      #expect(backwards.reversed() == ring.buckets(in: store).map(\.hop))
      linked += backwards.count
    }
    #expect(linked + store.freeCount + store.bareCount == made)
    for (ring, expected) in zip(rings, reference) {
      let buckets = ring.buckets(in: store)
      #expect(buckets.map(\.hop) == expected.keys.sorted())
      #expect(buckets.map(\.records) == expected.keys.sorted().map { expected[$0]!.records })
      #expect(buckets.map(\.reads) == expected.keys.sorted().map { expected[$0]!.reads })
      guard let end = expected.keys.max() else { continue }
      let totals = ring.totals(endingAt: end - 1, hops: 5, store: store)
      let inWindow = expected.filter { $0.key > end - 6 && $0.key <= end - 1 }.values
      #expect(totals.records == inWindow.reduce(0) { $0 + $1.records })
      #expect(totals.reads == inWindow.reduce(0) { $0 + $1.reads })
      let merged = ring.merged(endingAt: end - 1, hops: 5, store: store)
      #expect((merged.records, merged.reads) == (totals.records, totals.reads))
    }
  }

  /// Free buckets past `keptLists` let their lists go; those released first keep them, and
  /// are taken first.
  @Test func freeBucketsKeepTheirListsUpToTheCap() {
    let factory = EventFactory()
    var store = BucketStore()
    let count = BucketStore.keptLists + 100
    let numbers = (0..<count).map { _ in store.take(hop: 0) }
    for number in numbers {
      for actor in ["a", "b"] { store[number].pointee.bucket.add(factory.read(at: 0, actor: actor, records: 1)) }
      #expect(store[number].pointee.bucket.breakdown.entryCapacity > 0)
    }
    for number in numbers { store.release(number) }
    #expect(numbers.prefix(BucketStore.keptLists).allSatisfy { store[$0].pointee.bucket.breakdown.entryCapacity > 0 })
    #expect(numbers.dropFirst(BucketStore.keptLists).allSatisfy { store[$0].pointee.bucket.breakdown.entryCapacity == 0 })
    // Taken again last released first, those with lists before the others, and no new slot
    // made while free ones are left.
    let kept = numbers.prefix(BucketStore.keptLists)
    let bare = numbers.dropFirst(BucketStore.keptLists)
    #expect((0..<count).map { _ in store.take(hop: 1) } == Array(kept.reversed()) + Array(bare.reversed()))
    #expect(store.made == count)
  }

  /// Past the chunk table's first room (16 chunks of 4,096 buckets) the table grows; the
  /// buckets made before stay where they were, with what they held.
  @Test func bucketsStayPutAsTheStoreGrows() {
    var store = BucketStore()
    let first = store.take(hop: -1)
    let address = store[first]
    let numbers = (0..<(17 * 4_096 + 1)).map { store.take(hop: Int64($0)) }
    #expect(store[first] == address)
    #expect(store[first].pointee.bucket.hop == -1)
    #expect(numbers.enumerated().allSatisfy { store[$0.element].pointee.bucket.hop == Int64($0.offset) })
    #expect(store.made == numbers.count + 1)
  }
}
