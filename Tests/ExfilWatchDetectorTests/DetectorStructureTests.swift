import ExfilWatchEvent
import ExfilWatchTestSupport
import Testing

@testable import ExfilWatchDetector

/// The detector's own containers against the standard library's: the key index against a
/// `Dictionary`, the selected median against the middle of the sorted values.
@Suite struct DetectorStructureTests {
  /// Random inserts, updates and removals of keys from a small space, so the same keys come
  /// and go and the table grows and empties; lookups after each step.
  @Test(arguments: [1, 2, 3] as [UInt64])
  func keyIndexAgreesWithADictionary(seed: UInt64) {
    var random = SeededGenerator(seed: seed)
    var index = KeySlotIndex()
    var expected: [DetectorKey: Int32] = [:]
    func randomKey() -> DetectorKey {
      var key = DetectorKey(
        dimension: UInt8.random(in: 0...2, using: &random), tenant: Symbol(rawValue: UInt32.random(in: 0...1, using: &random)),
        first: Symbol(rawValue: UInt32.random(in: 0...300, using: &random)))
      if Bool.random(using: &random) { key.second = Symbol(rawValue: UInt32.random(in: 0...3, using: &random)) }
      return key
    }
    for step in 0..<20_000 {
      let key = randomKey()
      // Insertions outnumber removals at first, then removals catch up: the table grows and
      // then empties.
      if Int.random(in: 0..<100, using: &random) < (step < 10_000 ? 70 : 30) {
        let slot = Int32(step)
        index[key] = slot
        expected[key] = slot
      } else {
        index[key] = nil
        expected[key] = nil
      }
      #expect(index.count == expected.count)
      if step % 97 == 0 {
        for (key, slot) in expected { #expect(index[key] == slot) }
        #expect(index.values.sorted() == expected.values.sorted())
      }
      let probe = randomKey()
      #expect(index[probe] == expected[probe])
    }
    for _ in 0..<2_000 {
      let key = randomKey()
      #expect(index[key] == expected[key])
    }
  }

  @Test func medianIsTheMiddleOfTheSortedValues() {
    var random = SeededGenerator(seed: 7)
    let counts = Array(1...60) + [61, 100, 257, 600, 1_001]
    for count in counts {
      for trial in 0..<20 {
        // Few distinct values (ties fall on the middle often), many, all equal, or in order.
        let values: [Double] =
          switch trial % 5 {
          case 0, 1: (0..<count).map { _ in Double(Int.random(in: -5...5, using: &random)) / 4 }
          case 2: (0..<count).map { _ in Double.random(in: -10...10, using: &random) }
          case 3: Array(repeating: 1.5, count: count)
          default: (0..<count).map { Double(trial % 2 == 0 ? $0 : count - $0) }
          }
        let sorted = values.sorted()
        let middle = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
        #expect(median(values) == middle, "\(values)")
      }
    }
  }
}
