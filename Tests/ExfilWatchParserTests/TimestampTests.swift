import ExfilWatchParser
import Testing

/// Every expected epoch value below was computed independently of this code, with Python's
/// `datetime` (e.g. `datetime.fromisoformat("2025-06-30T09:41:07.123-05:00")`), and hard-coded.
@Suite("Timestamp")
struct TimestampTests {
  /// 2025-06-30T09:41:07Z, the time most cases are written around.
  static let june30: Int64 = 1_751_276_467_000
  /// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z, the accepted range.
  static let earliest: Int64 = -62_167_219_200_000
  static let latest: Int64 = 253_402_300_799_999

  // MARK: Layouts

  @Test(
    "ISO-8601: each separator and zone spelling of the same instant",
    arguments: [
      "2025-06-30T09:41:07Z",
      "2025-06-30T09:41:07z",
      "2025-06-30t09:41:07Z",
      "2025-06-30 09:41:07Z",
      "2025-06-30T09:41:07",
      "2025-06-30 09:41:07",  // ServiceNow, UTC
      "2025-06-30T09:41:07+00:00",
      "2025-06-30T09:41:07+0000",
      "2025-06-30T09:41:07+00",
      "2025-06-30T09:41:07-00:00",
      "2025-06-30 09:41:07+00:00",
    ])
  func isoSpellings(text: String) {
    #expect(parse(text) == Self.june30)
  }

  @Test(
    "every layout with a known epoch value",
    arguments: [
      ("2025-06-30T09:41:07.123Z", 1_751_276_467_123),
      ("2025-06-30T09:41:07.123+0000", 1_751_276_467_123),  // Salesforce RTEM
      ("2025-06-30T09:41:07.123+00:00", 1_751_276_467_123),
      ("2025-06-30 09:41:07", 1_751_276_467_000),  // ServiceNow
      ("20250630094107.123", 1_751_276_467_123),  // Salesforce ELF
      ("20250630094107", 1_751_276_467_000),
      ("1751276467", 1_751_276_467_000),  // epoch seconds
      ("1751276467.123", 1_751_276_467_123),
      ("1751276467.5", 1_751_276_467_500),
      ("1751276467123", 1_751_276_467_123),  // epoch milliseconds
      ("0000000000", 0),
      ("0000000000000", 0),
      ("1970-01-01T00:00:00Z", 0),
      ("1969-12-31T23:59:59.999Z", -1),
      ("1900-03-01T00:00:00Z", -2_203_891_200_000),
      ("2000-02-29T00:00:00Z", 951_782_400_000),
      ("2099-12-31T23:59:59.999Z", 4_102_444_799_999),
      ("0001-01-01T00:00:00Z", -62_135_596_800_000),
      ("0000-01-01T00:00:00Z", -62_167_219_200_000),
      ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
      ("99991231235959.999", 253_402_300_799_999),
    ] as [(String, Int64)])
  func layouts(text: String, expected: Int64) {
    #expect(parse(text) == expected)
  }

  @Test(
    "a fraction of 1 to 9 digits is truncated to milliseconds, never rounded",
    arguments: [
      (".1", 100), (".12", 120), (".123", 123), (".1239", 123), (".12399", 123),
      (".123456789", 123), (".9999", 999), (".999999999", 999), (".000999999", 0),
      (".000000001", 0), (".0", 0), (".050", 50),
    ] as [(String, Int64)])
  func fractionTruncation(fraction: String, milliseconds: Int64) {
    #expect(parse("2025-06-30T09:41:07\(fraction)Z") == Self.june30 + milliseconds)
    #expect(parse("2025-06-30T09:41:07\(fraction)") == Self.june30 + milliseconds)
    #expect(parse("2025-06-30T09:41:07\(fraction)-05:00") == 1_751_294_467_000 + milliseconds)
    #expect(parse("20250630094107\(fraction)") == Self.june30 + milliseconds)
    #expect(parse("1751276467\(fraction)") == Self.june30 + milliseconds)
  }

  @Test(
    "offsets east and west of UTC are subtracted",
    arguments: [
      ("2025-06-30T09:41:07-05:00", 1_751_294_467_000),
      ("2025-06-30T09:41:07-0500", 1_751_294_467_000),
      ("2025-06-30T09:41:07-05", 1_751_294_467_000),
      ("2025-06-30T09:41:07.123-05:00", 1_751_294_467_123),
      ("2025-06-30T09:41:07+05:30", 1_751_256_667_000),
      ("2025-06-30T09:41:07+0530", 1_751_256_667_000),
      ("2025-06-30T09:41:07+05", 1_751_258_467_000),
      ("2025-06-30 09:41:07+05:30", 1_751_256_667_000),
      // The offset moves the date: back into the previous year, forward into the next.
      ("2025-01-01T00:30:00+01:00", 1_735_687_800_000),
      ("2024-12-31T23:30:00-01:00", 1_735_691_400_000),
      // The largest offsets a two-digit hour and minute can spell.
      ("2025-06-30T09:41:07+23:59", 1_751_276_467_000 - 86_340_000),
      ("2025-06-30T09:41:07-23:59", 1_751_276_467_000 + 86_340_000),
    ] as [(String, Int64)])
  func offsets(text: String, expected: Int64) {
    #expect(parse(text) == expected)
  }

  @Test("a leap day exists only in leap years")
  func leapDays() {
    #expect(parse("2024-02-29T12:00:00Z") == 1_709_208_000_000)
    #expect(parse("20240229120000.000") == 1_709_208_000_000)
    #expect(parse("2000-02-29T00:00:00Z") == 951_782_400_000)  // divisible by 400
    #expect(parse("2025-02-29T12:00:00Z") == nil)
    #expect(parse("20250229120000") == nil)
    #expect(parse("1900-02-29T00:00:00Z") == nil)  // divisible by 100, not by 400
    #expect(parse("2024-02-30T00:00:00Z") == nil)
  }

  @Test(
    "every month has its own length",
    arguments: Array(zip(1...12, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])))
  func monthLengths(month: Int, days: Int) {
    let monthText = month < 10 ? "0\(month)" : "\(month)"
    #expect(parse("2025-\(monthText)-\(days)T00:00:00Z") != nil)
    #expect(parse("2025-\(monthText)-\(days + 1)T00:00:00Z") == nil)
    #expect(parse("2025-\(monthText)-00T00:00:00Z") == nil)
  }

  @Test("a leap second :60 is read as :59 with its fraction")
  func leapSecond() {
    // 2016-12-31T23:59:60Z was a real leap second.
    #expect(parse("2016-12-31T23:59:60.500Z") == 1_483_228_799_500)
    #expect(parse("2016-12-31T23:59:60Z") == 1_483_228_799_000)
    #expect(parse("20161231235960") == 1_483_228_799_000)
    #expect(parse("2016-12-31T23:59:61Z") == nil)
  }

  // MARK: Rejections

  @Test(
    "malformed values are rejected",
    arguments: [
      "",
      " 2025-06-30T09:41:07Z",
      "2025-06-30T09:41:07Z ",
      "\t2025-06-30T09:41:07Z",
      "2025-06-30T09:41:07Z\n",
      "2025-06-30T09:41:07x",
      "2025-06-30T09:41:07Zx",
      "2025-06-30T09:41:07.123x",
      "2025-06-30T09:41:07+05:30Z",
      "2025-06-30T09:41:07 Z",
      "2025-06-30T09:41:07\u{0}",
      "2025-13-01T00:00:00Z",
      "2025-00-01T00:00:00Z",
      "2025-06-00T00:00:00Z",
      "2025-06-31T00:00:00Z",
      "2025-06-30T24:00:00Z",
      "2025-06-30T09:60:00Z",
      "2025-06-30T09:41:61Z",
      "2025-06-30T09:41",
      "2025-06-30T09:41Z",
      "2025-06-30T09",
      "2025-06-30",
      "2025-06-30T",
      "2025-06-30Z",
      "2025-06-30T09:41:07.",
      "2025-06-30T09:41:07.Z",
      "2025-06-30T09:41:07.1234567891Z",
      "2025-06-30T09:41:07,123Z",
      "2025-06-30T09:41:07+5",
      "2025-06-30T09:41:07+05:",
      "2025-06-30T09:41:07+05:3",
      "2025-06-30T09:41:07+053",
      "2025-06-30T09:41:07+05:30:00",
      "2025-06-30T09:41:07+24:00",
      "2025-06-30T09:41:07+05:60",
      "2025-06-30T09:41:07 +05:00",
      "2025-06-30T09:41:07UTC",
      "2025-06-30X09:41:07",
      "2025-06-30  09:41:07",
      "2025/06/30 09:41:07",
      "25-06-30T09:41:07Z",
      "12025-06-30T09:41:07Z",
      "2025-6-30T09:41:07Z",
      "2025-06-30T9:41:07Z",
      "2025-06-30T09:41:7Z",
      "-2025-06-30T09:41:07Z",
      "+2025-06-30T09:41:07Z",
      "20251330094107",
      "20250630244107",
      "20250630094107.",
      "20250630094107.1234567891",
      "20250630094107Z",
      "202506300941",
      "175127646",
      "17512764671",
      "1751276467.",
      "1751276467.x",
      "1751276467 ",
      "1751276467123.5",
      "-1751276467",
      "+1751276467",
      "1e9",
      "0x68624f33",
      "now",
      "null",
      // Valid times outside years 0000-9999 once the offset is applied.
      "0000-01-01T00:00:00+00:01",
      "9999-12-31T23:59:59-00:01",
    ])
  func malformed(text: String) {
    #expect(parse(text) == nil)
  }

  @Test("bytes that are not even UTF-8, and a null buffer, are rejected")
  func nonText() {
    let bytes: [UInt8] = [0x32, 0x30, 0x32, 0x35, 0xFF, 0x30, 0x36]
    #expect(bytes.withUnsafeBytes { Timestamp.parse($0) } == nil)
    #expect(Timestamp.parse(UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
  }

  @Test("only the bytes in the buffer are read, whatever lies after them")
  func readsOnlyItsBuffer() {
    let text = Array("2025-06-30T09:41:07.123+05:30".utf8)
    text.withUnsafeBytes { all in
      let prefix = { (count: Int) in
        Timestamp.parse(UnsafeRawBufferPointer(rebasing: all[..<count]))
      }
      #expect(prefix(19) == Self.june30)
      #expect(prefix(21) == Self.june30 + 100)
      #expect(prefix(23) == Self.june30 + 123)
      #expect(prefix(24) == nil)  // a bare "+"
      #expect(prefix(26) == Self.june30 + 123 - 5 * 3_600_000)  // "+05"
      #expect(prefix(27) == nil)  // "+05:"
      #expect(prefix(29) == Self.june30 + 123 - 5 * 3_600_000 - 30 * 60_000)
    }
  }
}

func parse(_ text: String) -> Int64? {
  Array(text.utf8).withUnsafeBytes { Timestamp.parse($0) }
}

/// `value` in decimal, zero-padded to `width` digits.
