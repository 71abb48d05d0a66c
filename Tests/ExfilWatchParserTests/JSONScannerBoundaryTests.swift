import ExfilWatchEvent
import Testing

@testable import ExfilWatchParser

/// The scanner's word-at-a-time tests (a `null` as one word in `nextValue`, a compact member's
/// separators and key in `skipCompactMember`) must stop at the record's end: these records end
/// where an inaccessible page begins, so a read one byte past them crashes the test.
@Suite("JSONScanner boundaries")
struct JSONScannerBoundaryTests {
  @Test("a value at the record's end is read as skipValue reads it, and no further")
  func valueAtTheEnd() {
    for text in ["null", "nul", "nu", "n", "nulL", "nulls", "true", "false", "0", "-1.5e3", "\"x\"", "\"", ""] {
      let bytes = GuardedBytes(Array(text.utf8))
      var fast = JSONScanner(bytes.bytes)
      var general = JSONScanner(bytes.bytes)
      let fastValue = Result { () throws(JSONSyntaxError) in try fast.nextValue() }
      let generalValue = Result { () throws(JSONSyntaxError) in try general.skipValue() }
      switch (fastValue, generalValue) {
      case (.success(let a), .success(let b)):
        #expect(a.kind == b.kind && a.start == b.start && a.end == b.end && fast.index == general.index, "\(text)")
      case (.failure, .failure):
        break
      default:
        Issue.record("\(text): \(fastValue) but \(generalValue)")
      }
    }
  }

  @Test("a record of nulls and compact members cut at every length ends at the guard page")
  func cutRecords() {
    let record = Array(#"{"a":null,"bb":null,"ccc":[null,1,"x"],"dddddddddd":null,"e":{"f":null}}"#.utf8)
    let cache = MemberKeyCache()
    let extractor = JSONFieldExtractor(paths: [["a"], ["bb"], ["dddddddddd"], ["e", "f"]])
    var values: [FieldValue?] = Array(repeating: nil, count: extractor.fieldCount)
    for length in 0...record.count {
      for _ in 0..<2 {  // the second time with the last record's keys
        let bytes = GuardedBytes(Array(record[..<length]))
        let scratch = DecodeScratch()
        let accepted = (try? extractor.extract(
          from: bytes.bytes, maxFields: .max, scratch: scratch, keys: cache, into: &values)) != nil
        #expect(accepted == (length == record.count), "cut at \(length)")
        record.withUnsafeBytes { whole in
          _ = try? extractor.extract(from: whole, maxFields: .max, scratch: scratch, keys: cache, into: &values)
        }
      }
    }
  }
}
