import Testing

@testable import ExfilWatchEvent

/// The symbol table compares a value found by its hash word by word, its last bytes as one
/// overlapping word (or, under eight bytes, as one partial word): a difference at any position
/// of any length must be seen, as a byte-by-byte comparison sees it.
@Suite("SymbolTable byte comparison")
struct SymbolTableBytesTests {
  @Test("one byte changed at every position of every length up to five words")
  func differenceAtEveryPosition() {
    let text = Array("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN".utf8)
    for count in 0...40 {
      let stored = Array(text[..<count])
      stored.withUnsafeBytes { stored in
        #expect(SymbolTable.sameBytes(stored, stored), "\(count) bytes")
      }
      for position in 0..<count {
        var changed = stored
        changed[position] ^= 0x01
        let same = stored.withUnsafeBytes { stored in
          changed.withUnsafeBytes { SymbolTable.sameBytes(stored, $0) }
        }
        #expect(!same, "\(count) bytes, changed at \(position)")
      }
    }
  }
}
