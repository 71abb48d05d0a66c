import PropertyBased
import Testing

@testable import ExfilWatchParser

/// `isValidUTF8` crosses ASCII 64 bytes at a time and tests a record's last bytes as its last
/// 64: these put valid and invalid sequences at every place around those blocks and compare
/// with the standard library's validation.
@Suite("UTF-8 validation")
struct UTF8ValidationTests {
  /// Pieces of text: ASCII, whole sequences, and the pieces of broken ones.
  static let pieces: [[UInt8]] = [
    [0x61], [0x61], [0x61], [0x61], [0x20], [0xC3, 0xA9], [0xE6, 0x97, 0xA5], [0xF0, 0x9F, 0x98, 0x80],
    [0xC3], [0xA9], [0xE6, 0x97], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF],
  ]
  static let piece = Gen.int(in: 0...(pieces.count - 1)).map { pieces[$0] }

  @Test("one piece at every offset of a record of ASCII, for lengths around 64 and 128")
  func pieceAtEveryOffset() {
    for length in [0, 1, 7, 8, 9, 63, 64, 65, 70, 127, 128, 129, 200] {
      for piece in Self.pieces {
        for offset in 0...length {
          var record = [UInt8](repeating: 0x61, count: length)
          record.insert(contentsOf: piece, at: offset)
          check(record)
        }
      }
    }
  }

  @Test("random records are valid exactly when the standard library says so")
  func randomRecords() async {
    await propertyCheck(count: 3_000, input: Self.piece.array(of: 0...160)) { pieces in
      check(pieces.flatMap { $0 })
    }
  }

  private func check(_ record: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = String(validating: record, as: UTF8.self) != nil
    #expect(record.withUnsafeBytes(isValidUTF8) == expected, "\(record)", sourceLocation: sourceLocation)
  }
}
