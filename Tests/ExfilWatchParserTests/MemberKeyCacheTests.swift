import ExfilWatchEvent
import Testing

@testable import ExfilWatchParser

/// `JSONFieldExtractor` compares each key with the key the last record had at the same place
/// (`MemberKeyCache`, `JSONScanner.skipCompactMember` and `skipKey`) before scanning and
/// looking it up. Whatever the last record was, a record must give what it gives read alone:
/// these cases read every damaged form of a record after the whole one, and each record cut
/// short inside a buffer whose next bytes would complete it (a comparison reaching past the
/// record's end would take them for the record's).
@Suite("MemberKeyCache")
struct MemberKeyCacheTests {
  static let record = Array((
    #"{"EventDate":"2025-06-01T00:00:00Z","Id":"a\"b","Username":"u@example.com","x":null,"#
      + #""SourceIp":"10.0.0.1","attributes":{"type":"ApiEvent","url":"/x"},"QueriedEntitiesLongerThan16":"C","#
      + #""Query":"SELECT","RowsProcessed":7.0,"n":[1,{"Id":"z"}],"Ab":"c","Abcdefgh":"i"}"#).utf8)
  static let extractor = JSONFieldExtractor(paths: [
    ["EventDate"], ["Id"], ["Username"], ["SourceIp"], ["attributes", "type"], ["QueriedEntitiesLongerThan16"],
    ["Query"], ["RowsProcessed"], ["n", "1", "Id"], ["Ab"], ["Abcdefgh"], ["x"],
  ])

  @Test("a damaged record read after the whole one gives what it gives read alone")
  func damagedAfterWhole() {
    let cache = MemberKeyCache()
    let replacements: [UInt8] = [0x22, 0x5C, 0x3A, 0x2C, 0x7B, 0x7D, 0x20, 0x09, 0x78, 0x41, 0x00]
    for position in Self.record.indices {
      for byte in replacements + [Self.record[position] ^ 0x20] {
        var damaged = Self.record
        damaged[position] = byte
        _ = Self.extract(Self.record, cache: cache)
        #expect(Self.extract(damaged, cache: cache) == Self.extract(damaged, cache: MemberKeyCache()),
          "byte \(byte) at \(position)")
      }
      for inserted: [UInt8] in [[0x20], [0x5C], [0x22], [0x41]] {
        var damaged = Self.record
        damaged.insert(contentsOf: inserted, at: position)
        _ = Self.extract(Self.record, cache: cache)
        #expect(Self.extract(damaged, cache: cache) == Self.extract(damaged, cache: MemberKeyCache()),
          "\(inserted) inserted at \(position)")
      }
    }
  }

  @Test("a record cut short, the rest of it still in the buffer, is refused after the whole one")
  func cutInsideItsBuffer() {
    let cache = MemberKeyCache()
    for length in 0..<Self.record.count {
      _ = Self.extract(Self.record, cache: cache)
      let cut = Self.record.withUnsafeBytes { Self.extract(UnsafeRawBufferPointer(rebasing: $0[..<length]), cache: cache) }
      #expect(cut == ["rejected: badJSON"], "cut at \(length)")
    }
    #expect(Self.extract(Self.record, cache: cache) == Self.extract(Self.record, cache: MemberKeyCache()))
  }

  @Test("a record cut short and ending at an inaccessible page is read without a byte past it")
  func cutAtGuardPage() {
    let cache = MemberKeyCache()
    for length in 0..<Self.record.count {
      _ = Self.extract(Self.record, cache: cache)
      let cut = GuardedBytes(Array(Self.record[..<length]))
      #expect(Self.extract(cut.bytes, cache: cache) == ["rejected: badJSON"], "cut at \(length)")
    }
  }

  @Test("records of other shapes, one after another, give what they give read alone")
  func shapesInTurn() {
    let records = [
      Self.record,
      Array(#"{"Id":"1","EventDate":"2025-06-01T00:00:00Z","Ab":"c","Abcdefgh":"i"}"#.utf8),
      Array(#"{"Id" : "1","EventDate":"2025-06-01T00:00:00Z" ,"Ab":"c","Abcdefgh":"i"}"#.utf8),
      Array(#"{"I\u0064":"1","EventDate":"2025-06-01T00:00:00Z","Ab":"c","Abcdefgi":"i"}"#.utf8),
      Array(#"{"attributes":{"Id":"7"},"Id":{"type":"x"},"n":[{"Id":"y"},{"Id":"z"}]}"#.utf8),
      Array(#"{"Ab":"c","Ab":"d","A":"e","Abc":"f","Abcdefghi":"g","Abcdefgh":"h"}"#.utf8),
    ]
    let cache = MemberKeyCache()
    for first in records {
      for second in records {
        _ = Self.extract(first, cache: cache)
        #expect(Self.extract(second, cache: cache) == Self.extract(second, cache: MemberKeyCache()))
      }
    }
  }

  @Test("another extractor's keys are not taken for this one's")
  func otherExtractor() {
    let other = JSONFieldExtractor(paths: [["Username"], ["EventDate"]])
    let cache = MemberKeyCache()
    var values: [FieldValue?] = Array(repeating: nil, count: other.fieldCount)
    Self.record.withUnsafeBytes { bytes in
      try? other.extract(from: bytes, maxFields: .max, scratch: DecodeScratch(), keys: cache, into: &values)
    }
    #expect(Self.extract(Self.record, cache: cache) == Self.extract(Self.record, cache: MemberKeyCache()))
  }

  @Test("the member limit counts members read with the last record's keys")
  func memberLimit() {
    let cache = MemberKeyCache()
    _ = Self.extract(Self.record, cache: cache)
    for limit in 0..<40 {
      #expect(Self.extract(Self.record, cache: cache, maxFields: limit)
        == Self.extract(Self.record, cache: MemberKeyCache(), maxFields: limit), "limit \(limit)")
    }
  }

  @Test("skipKey compares only bytes inside the record")
  func skipKeyBounds() {
    let text = Array(#""Abcdefgh":1"#.utf8)
    let key = text.withUnsafeBytes { JSONKeyWords(UnsafeRawBufferPointer(rebasing: $0[1..<9]), readable: 11, ignoresCase: false) }
    for length in 0...text.count {
      let skipped = text.withUnsafeBytes { bytes -> Int? in
        var scanner = JSONScanner(UnsafeRawBufferPointer(rebasing: bytes[..<length]))
        return scanner.skipKey(key) ? scanner.index : nil
      }
      #expect(skipped == (length >= 10 ? 10 : nil), "length \(length)")
    }
  }

  /// The fields' kinds and texts, or the reason the record is refused.
  private static func extract(
    _ record: [UInt8], cache: MemberKeyCache, maxFields: Int = .max
  ) -> [String] {
    record.withUnsafeBytes { extract($0, cache: cache, maxFields: maxFields) }
  }

  private static func extract(
    _ record: UnsafeRawBufferPointer, cache: MemberKeyCache, maxFields: Int = .max
  ) -> [String] {
    var values: [FieldValue?] = Array(repeating: nil, count: extractor.fieldCount)
    let scratch = DecodeScratch()
    scratch.reset(forRecordOf: record.count)
    do throws(RejectReason) {
      try extractor.extract(from: record, maxFields: maxFields, scratch: scratch, keys: cache, into: &values)
    } catch {
      return ["rejected: \(error)"]
    }
    return values.map { value in
      value.map { "\($0.kind) \(String(decoding: $0.text, as: UTF8.self))" } ?? "-"
    }
  }
}
