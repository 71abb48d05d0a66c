import ExfilWatchEvent
import ExfilWatchTestSupport
import Foundation
import Testing

@testable import ExfilWatchDetector

/// A bucket's evidence against plain references: the breakdown against sums kept per field and
/// value in first-seen order, the samples against a sorted list cut to its first three. Random
/// reads from few values, so fields go from one value to several, past the index (16 entries)
/// and the `other` fold (32 values); ids missing or repeated, so ties are met.
@Suite struct BucketEvidenceTests {
  /// Sums per field: values in first-seen order, the 33rd value on folded into `other`.
  struct ReferenceBreakdown {
    var fields = Array(repeating: [(value: Symbol, records: Int64, reads: Int64)](), count: 4)

    mutating func add(_ values: [Symbol], records: Int64) {
      for (field, value) in values.enumerated() {
        let target = fields[field].count < WindowBreakdown.limit || fields[field].contains { $0.value == value }
          ? value : WindowBreakdown.other
        if let index = fields[field].firstIndex(where: { $0.value == target }) {
          fields[field][index].records += records
          fields[field][index].reads += 1
        } else {
          fields[field].append((target, records, 1))
        }
      }
    }
  }

  func randomReads(seed: UInt64, count: Int, distinct: Int) -> [AccessEvent] {
    var random = SeededGenerator(seed: seed)
    let factory = EventFactory()
    return (0..<count).map { _ in
      let id = Int.random(in: 0..<4, using: &random) == 0 ? nil : "id-\(Int.random(in: 0..<5, using: &random))"
      return factory.read(
        at: Int64.random(in: 0..<20, using: &random), actor: "agent\(Int.random(in: 0..<distinct, using: &random))",
        client: "app\(Int.random(in: 0..<max(1, distinct / 8), using: &random))",
        ip: "10.0.0.\(Int.random(in: 0..<distinct, using: &random))", object: "Contact",
        records: Int64.random(in: 0...50, using: &random), id: id, line: Int.random(in: 1...1_000, using: &random))
    }
  }

  func entries(_ breakdown: WindowBreakdown) -> [[(value: Symbol, records: Int64, reads: Int64)]] {
    WindowBreakdown.Field.allCases.map { field in
      breakdown.allEntries.filter { $0.field == field }.map { ($0.value, $0.records, $0.reads) }
    }
  }

  static func precedes(_ a: AccessEvent, _ b: AccessEvent) -> Bool {
    if a.time != b.time { return a.time < b.time }
    guard let first = a.eventID?.description else { return false }
    guard let second = b.eventID?.description else { return true }
    return Array(first.utf8).lexicographicallyPrecedes(Array(second.utf8))
  }

  @Test(arguments: [(1, 1), (2, 2), (3, 6), (4, 40), (5, 70)] as [(UInt64, Int)])
  func evidenceMatchesTheReferences(seed: UInt64, distinct: Int) throws {
    let reads = randomReads(seed: seed, count: 300, distinct: distinct)
    var reference = ReferenceBreakdown()
    var bucket = WindowRing.Bucket(hop: 0)
    // Two halves, merged as a finding's window merges buckets.
    var halves = (WindowRing.Bucket(hop: 0), WindowRing.Bucket(hop: 1))
    for (position, event) in reads.enumerated() {
      bucket.add(event)
      if position % 3 == 0 { halves.0.add(event) } else { halves.1.add(event) }
      reference.add([event.actor, event.client, event.sourceIP, event.object], records: event.records)
    }
    // A bucket reused after reads of many values (its lists and index left stale) counts the
    // same as a new one.
    var reused = WindowRing.Bucket(hop: 9)
    for event in randomReads(seed: seed + 100, count: 200, distinct: 50) { reused.add(event) }
    reused.reuse(for: 0)
    for event in reads { reused.add(event) }
    // So does a bucket released to the store and taken again, after reads of many values (its
    // lists let go) and of few (its lists kept).
    var store = BucketStore()
    var spared: [WindowRing.Bucket] = []
    for (offset, distinct) in [(200, 50), (300, 5)] {
      let used = store.take(hop: 9)
      for event in randomReads(seed: seed + UInt64(offset), count: 200, distinct: distinct) {
        store[used].pointee.bucket.add(event)
      }
      #expect(store[used].pointee.bucket.breakdown.entryCapacity > (distinct > 8 ? WindowBreakdown.sparedEntries : 0))
      store.release(used)
      let taken = store.take(hop: 0)
      #expect(taken == used)
      // The memory a free bucket keeps is bounded: the many values' list went, the few values' stayed.
      if distinct > 8 {
        #expect(store[taken].pointee.bucket.breakdown.entryCapacity == 0)
      } else {
        #expect(store[taken].pointee.bucket.breakdown.entryCapacity > 0)
      }
      for event in reads { store[taken].pointee.bucket.add(event) }
      spared.append(store[taken].pointee.bucket)
    }
    var merged = WindowRing.Bucket(hop: 0)
    merged.merge(halves.0)
    merged.merge(halves.1)
    let expectedSamples = reads.enumerated().sorted { a, b in
      Self.precedes(a.element, b.element) || (!Self.precedes(b.element, a.element) && a.offset < b.offset)
    }.prefix(EventSamples.limit).map { ($0.element.time, $0.element.eventID?.description, $0.element.origin.line) }
    let restored = try JSONDecoder().decode(WindowRing.Bucket.self, from: try JSONEncoder().encode(bucket))
    for candidate in [bucket, restored, reused] + spared {
      #expect(candidate.records == reads.reduce(0) { $0 + $1.records })
      #expect(candidate.reads == Int64(reads.count))
      let got = entries(candidate.breakdown)
      for field in 0..<4 {
        #expect(got[field].map(\.value) == reference.fields[field].map(\.value), "field \(field)")
        #expect(got[field].map(\.records) == reference.fields[field].map(\.records), "field \(field)")
        #expect(got[field].map(\.reads) == reference.fields[field].map(\.reads), "field \(field)")
      }
      let samples = candidate.samples.samples.map { ($0.time, $0.eventID?.description, $0.origin.line) }
      #expect(samples.elementsEqual(expectedSamples) { $0 == $1 })
    }
    // A merged window has the same sums per value (its order follows the halves').
    let sums = entries(merged.breakdown).map { Dictionary($0.map { ($0.value, [$0.records, $0.reads]) }, uniquingKeysWith: +) }
    for field in 0..<4 where reference.fields[field].count < WindowBreakdown.limit {
      #expect(sums[field] == Dictionary(reference.fields[field].map { ($0.value, [$0.records, $0.reads]) }, uniquingKeysWith: +))
    }
    #expect(merged.records == bucket.records && merged.reads == bucket.reads)
    #expect(merged.samples.samples.map(\.time) == expectedSamples.map(\.0))
  }

  /// Saved totals that disagree with the breakdown's, or sums past Int64, are damage, not a crash.
  @Test func inconsistentOrOverflowingBucketsAreRefused() throws {
    let factory = EventFactory()
    var bucket = WindowRing.Bucket(hop: 0)
    bucket.add(factory.read(at: 1, actor: "a", records: 5))
    var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(bucket)) as? [String: Any])
    object["records"] = 6
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(WindowRing.Bucket.self, from: try JSONSerialization.data(withJSONObject: object))
    }
    let entry: [String: Any] = ["field": 0, "value": 1, "companion": 0, "records": Int64.max, "reads": 1]
    var second = entry
    second["value"] = 2
    let breakdown = ["entries": [entry, second]]
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(WindowBreakdown.self, from: try JSONSerialization.data(withJSONObject: breakdown))
    }
  }
}
