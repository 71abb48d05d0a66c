/// Why a record did not become an event. The names are the ones operators see in counts and in
/// the rejects file (see Formats.md).
public enum RejectReason: String, Error, Sendable, CaseIterable, Comparable {
  case badJSON = "bad-json"
  case invalidUTF8 = "invalid-utf8"
  case missingTime = "missing-time"
  case badTime = "bad-time"
  case wrongType = "wrong-type"
  case wrongColumnCount = "wrong-column-count"
  case badCSV = "bad-csv"
  case repeatedHeader = "repeated-header"
  case overlong = "overlong"
  case tooManyFields = "too-many-fields"

  public static func < (lhs: RejectReason, rhs: RejectReason) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}
