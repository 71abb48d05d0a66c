import ExfilWatchEvent
import Testing

/// `SymbolTable` looks values up through its arrays' buffers, unchecked: whatever it holds,
/// after growth and sweeps, a value must be found as the symbol it was given, and a value
/// never interned (one that shares a prefix, a suffix or a length with held ones) must not be.
@Suite("SymbolTable lookups")
struct SymbolTableLookupTests {
  @Test("values of every length up to 40, alike in all but a byte, found as a dictionary finds them")
  func againstADictionary() {
    let table = SymbolTable()
    var reference: [[UInt8]: Symbol] = [:]
    var heldSymbols: Set<Symbol> = []
    var generator = SystemRandomNumberGenerator()
    func value(_ seed: Int) -> [UInt8] {
      let length = 1 + seed % 40
      var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
      bytes[(seed / 40) % length] = UInt8(truncatingIfNeeded: seed / 1_600 + 0x30)
      return bytes
    }
    for _ in 0..<4 {
      for _ in 0..<20_000 {
        let bytes = value(Int.random(in: 0..<64_000, using: &generator))
        let symbol = bytes.withUnsafeBytes { table.intern($0) }
        if let known = reference[bytes] {
          #expect(symbol == known, "\(bytes)")
        } else {
          #expect(!heldSymbols.contains(symbol), "\(bytes) took a held symbol")
          heldSymbols.insert(symbol)
          reference[bytes] = symbol
        }
      }
      // Keep a third, free the rest: freed numbers go to new values.
      var marks = SymbolMarks(symbolCount: table.count)
      let kept = reference.filter { $0.value.rawValue % 3 == 0 }
      for symbol in kept.values { marks.mark(symbol) }
      table.sweep(keeping: marks)
      reference = kept
      heldSymbols = Set(kept.values)
      for (bytes, symbol) in reference {
        #expect(table.withBytes(symbol) { Array($0) } == bytes)
        #expect(bytes.withUnsafeBytes { table.intern($0) } == symbol)
      }
    }
  }
}
