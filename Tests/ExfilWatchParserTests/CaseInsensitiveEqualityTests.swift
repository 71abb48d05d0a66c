import Testing

@testable import ExfilWatchParser

/// `equalIgnoringASCIICase` compares bytes and tests only differing ones for a case pair; it
/// must say what lowercasing both (`asciiLowercase`) and comparing says.
@Suite("ASCII case-insensitive equality")
struct CaseInsensitiveEqualityTests {
  @Test("every pair of bytes, alone and after equal bytes, as lowercasing both tells")
  func everyBytePair() {
    for a in 0...255 {
      for b in 0...255 {
        let expected = asciiLowercase(UInt8(a)) == asciiLowercase(UInt8(b))
        for prefix in [[UInt8](), Array("qUeRy".utf8)] {
          let left = prefix + [UInt8(a)]
          let right = prefix.map { asciiLowercase($0) } + [UInt8(b)]
          let equal = left.withUnsafeBytes { l in right.withUnsafeBytes { r in equalIgnoringASCIICase(l, r) } }
          #expect(equal == expected, "\(a) \(b)")
        }
      }
    }
  }

  @Test("lengths must match; empty equals empty")
  func lengths() {
    #expect([UInt8]().withUnsafeBytes { e in equalIgnoringASCIICase(e, e) })
    let query = Array("QUERY".utf8)
    let queryMore = Array("querymore".utf8)
    #expect(!query.withUnsafeBytes { q in queryMore.withUnsafeBytes { m in equalIgnoringASCIICase(q, m) } })
    query.withUnsafeBytes { bytes in
      #expect(FieldValue(kind: .string, text: bytes).equalsIgnoringCase("query"))
      #expect(!FieldValue(kind: .string, text: bytes).equalsIgnoringCase("queri"))
    }
  }
}
