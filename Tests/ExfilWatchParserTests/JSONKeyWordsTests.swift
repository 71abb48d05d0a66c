import Testing

@testable import ExfilWatchParser

/// A key followed by more of its record is read with one load when under eight bytes, the bytes
/// past it masked off: the words must be those of the key alone, whatever follows it.
@Suite("JSONKeyWords")
struct JSONKeyWordsTests {
  @Test("a key read with the record's bytes after it has the words of the key alone")
  func readableBytesAfterTheKey() {
    let record = Array(#"AbCdEfGhIjKlMnOpQrSt":"value","#.utf8)
    for ignoresCase in [false, true] {
      for start in 0..<4 {
        for length in 0...17 {
          let key = Array(record[start..<start + length])
          let alone = key.withUnsafeBytes { JSONKeyWords($0, readable: $0.count, ignoresCase: ignoresCase) }
          let inRecord = record.withUnsafeBytes { bytes in
            JSONKeyWords(
              UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]), readable: bytes.count - start,
              ignoresCase: ignoresCase)
          }
          #expect(inRecord == alone, "\(length) bytes from \(start)")
          #expect(inRecord.hash == alone.hash)
        }
      }
    }
  }
}
