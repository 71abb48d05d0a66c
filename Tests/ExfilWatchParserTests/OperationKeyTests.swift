import Testing

@testable import ExfilWatchParser

/// The key that ties a query's pages together: the same fields give the same key, and moving
/// bytes across a field boundary, or a missing field, gives another.
@Suite struct OperationKeyTests {
  func key(_ fields: [String?]) -> UInt64 {
    var key = OperationKey()
    for field in fields {
      guard let field else {
        key.add(nil)
        continue
      }
      var bytes = Array(field.utf8)
      bytes.withUnsafeMutableBytes { key.add(FieldValue(kind: .string, text: UnsafeRawBufferPointer($0))) }
    }
    return key.value
  }

  @Test func sameFieldsSameKeyOtherSplitsOtherKeys() {
    let query = "SELECT Id, Name, Email, Phone, Birthdate FROM Contact WHERE LastModifiedDate > 2025-01-01"
    #expect(key(["session-1", query]) == key(["session-1", query]))
    // An empty field is a missing one (a blank session key in a CSV export is no session).
    #expect(key(["", "session-1", query]) == key([nil, "session-1", query]))
    var keys: Set<UInt64> = [key(["session-1", query])]
    let variants: [[String?]] = [
      ["session-2", query], ["session-1", query + " "], ["session-", "1" + query], ["session-1" + query],
      ["session-1", nil, query], [nil, "session-1", query], ["session-1", String(query.dropLast())],
      ["abcdefgh", "ijklmnop"], ["abcdefghijklmnop"], ["abcdefghi", "jklmnop"],
    ]
    for fields in variants { keys.insert(key(fields)) }
    #expect(keys.count == variants.count + 1)
  }
}
