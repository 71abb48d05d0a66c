import Testing

@testable import ExfilWatchParser

/// The small byte searches the parsers run on field values (`withoutPort`, `sameBytes`, the
/// prefix and suffix tests) read raw buffers in line: they must say what the collection
/// methods say, at every length (past 16 bytes the search compares blocks), and read nothing
/// past the value (these values end where an inaccessible page begins).
@Suite("Byte searches in field values")
struct ByteSearchTests {
  /// `withoutPort` as it was written with `Collection.firstIndex(of:)`.
  static func referenceWithoutPort(_ address: [UInt8]) -> [UInt8] {
    if address.first == UInt8(ascii: "["), let close = address.firstIndex(of: UInt8(ascii: "]")) {
      return Array(address[1..<close])
    }
    guard let colon = address.firstIndex(of: UInt8(ascii: ":")),
      address[(colon + 1)...].firstIndex(of: UInt8(ascii: ":")) == nil
    else { return address }
    return Array(address[..<colon])
  }

  @Test("addresses with brackets and colons anywhere, at every length up to 40")
  func addresses() {
    let fillers: [UInt8] = Array("0123456789abcdef.".utf8)
    for length in 0...40 {
      for first in -1..<length {
        for second in [-1, first + 1, length - 1] where second < length {
          for marks in [(UInt8(ascii: ":"), UInt8(ascii: ":")), (UInt8(ascii: "["), UInt8(ascii: "]")),
            (UInt8(ascii: "["), UInt8(ascii: ":"))]
          {
            var address = (0..<length).map { fillers[$0 % fillers.count] }
            if first >= 0 { address[first] = marks.0 }
            if second >= 0 && second != first { address[second] = marks.1 }
            let guarded = GuardedBytes(address)
            #expect(Array(withoutPort(guarded.bytes)) == Self.referenceWithoutPort(address), "\(address)")
          }
        }
      }
    }
  }

  @Test("equal bytes, prefixes and suffixes as the collection methods tell them")
  func comparisons() {
    let words = ["", "a", "ApiEvent", "ApiEventStream", "/event/ApiEventStream", "Store", "ApiEvenT", "/event/"]
    for word in words {
      for other in words {
        let guarded = GuardedBytes(Array(word.utf8))
        let otherBytes = GuardedBytes(Array(other.utf8))
        #expect(sameBytes(guarded.bytes, otherBytes.bytes) == (word == other), "\(word) \(other)")
      }
    }
    for word in words {
      let guarded = GuardedBytes(Array(word.utf8))
      let value = FieldValue(kind: .string, text: guarded.bytes)
      #expect(value.hasPrefix("/event/") == word.hasPrefix("/event/"), "\(word)")
      #expect(value.hasSuffix("Stream") == word.hasSuffix("Stream"), "\(word)")
      #expect(value.equals("ApiEvent") == (word == "ApiEvent"), "\(word)")
      #expect(value.contains("Event") == word.contains("Event"), "\(word)")
    }
  }
}
