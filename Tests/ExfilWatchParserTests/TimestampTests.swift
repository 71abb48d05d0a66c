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

  // MARK: fromEpoch

  @Test(
    "epoch numbers: seconds below 1e11, milliseconds from there up",
    arguments: [
      (1_751_276_467, 1_751_276_467_000),
      (1_751_276_467.123, 1_751_276_467_123),
      (1_751_276_467.5, 1_751_276_467_500),
      (1_751_276_467.1239, 1_751_276_467_123),  // truncated, not rounded
      (1_751_276_467.999_9, 1_751_276_467_999),
      (1_751_276_467_123, 1_751_276_467_123),
      (1_751_276_467_123.9, 1_751_276_467_123),
      (0, 0),
      (-0.0, 0),
      (0.001, 1),
      (-1.5, -1_500),
      (-0.000_1, -1),  // floored, like any time before 1970
      (99_999_999_999, 99_999_999_999_000),  // the largest seconds value: year 5138
      (100_000_000_000, 100_000_000_000),  // the smallest milliseconds value: 1973
      (-62_167_219_200, -62_167_219_200_000),
      (253_402_300_799_999, 253_402_300_799_999),
    ] as [(Double, Int64)])
  func epochNumbers(value: Double, expected: Int64) {
    #expect(Timestamp.fromEpoch(value) == expected)
  }

  @Test(
    "epoch numbers that are not times, or outside years 0000-9999, are rejected",
    arguments: [
      Double.nan, .signalingNaN, .infinity, -.infinity, .greatestFiniteMagnitude,
      -.greatestFiniteMagnitude, 1e300, -1e300, 9.3e18, -9.3e18, -62_167_219_200.001,
      -62_167_219_201, -100_000_000_000, 253_402_300_800_000, 1e15,
    ])
  func epochRejected(value: Double) {
    #expect(Timestamp.fromEpoch(value) == nil)
  }

  @Test("an epoch number gives the milliseconds it was written with, not its binary neighbour")
  func epochDecimalFidelity() {
    // `1751276467.123` is stored as 1751276467.12299990654…; a naive floor(x * 1000) gives 122.
    for seconds in [1_751_276_467, 1_000_000_000, 1, 951_782_399, 4_102_444_799, 99_999_999_999]
      as [Int64]
    {
      for millisecond in 0..<1000 as Range<Int64> {
        let digits = String(millisecond)
        let written = "\(seconds).\(String(repeating: "0", count: 3 - digits.count))\(digits)"
        let value = Double(written)!
        #expect(Timestamp.fromEpoch(value) == seconds * 1000 + millisecond, "\(written)")
        let negative = -seconds * 1000 - millisecond
        let expected = negative >= TimestampTests.earliest ? negative : nil
        #expect(Timestamp.fromEpoch(-value) == expected, "-\(written)")
      }
    }
  }

  // MARK: Formatting

  @Test(
    "iso8601 writes UTC with milliseconds",
    arguments: [
      (0, "1970-01-01T00:00:00.000Z"),
      (-1, "1969-12-31T23:59:59.999Z"),
      (1_751_276_467_123, "2025-06-30T09:41:07.123Z"),
      (1_751_276_467_000, "2025-06-30T09:41:07.000Z"),
      (951_782_400_000, "2000-02-29T00:00:00.000Z"),
      (1_709_208_000_000, "2024-02-29T12:00:00.000Z"),
      (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
      (-2_203_891_200_000, "1900-03-01T00:00:00.000Z"),
      (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
      (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
      (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
      // Outside the four-digit years: an expanded year with a sign; nothing traps.
      (253_402_300_800_000, "+10000-01-01T00:00:00.000Z"),
      (-62_167_219_200_001, "-0001-12-31T23:59:59.999Z"),
      (Int64.max, "+292278994-08-17T07:12:55.807Z"),
      (Int64.min, "-292275055-05-16T16:47:04.192Z"),
    ] as [(Int64, String)])
  func iso8601(milliseconds: Int64, expected: String) {
    #expect(Timestamp.iso8601(milliseconds) == expected)
    var buffer = Array("time=".utf8)
    Timestamp.appendISO8601(milliseconds, to: &buffer)
    #expect(buffer == Array("time=\(expected)".utf8))
  }

  @Test(
    "parse(iso8601(ms)) == ms",
    arguments: [
      0, 1, -1, 999, 1_000, 86_399_999, 86_400_000,
      951_782_400_000,  // 2000-02-29
      951_868_799_999,  // 2000-02-29T23:59:59.999Z
      1_709_208_000_000,  // 2024-02-29
      1_751_276_467_123,
      4_102_444_799_999,  // 2099-12-31T23:59:59.999Z
      -2_203_891_200_000,  // 1900-03-01
      -62_135_596_800_000,  // 0001-01-01
      -62_167_219_200_000,  // 0000-01-01
      -62_162_121_600_000,  // 0000-02-29, a leap day: year 0 is divisible by 400
      253_402_300_799_999,  // 9999-12-31T23:59:59.999Z
    ] as [Int64])
  func roundTrip(milliseconds: Int64) {
    #expect(parse(Timestamp.iso8601(milliseconds)) == milliseconds)
  }

  /// 10 000 pseudo-random times in 1970-9999 (the same ones on every run): `iso8601` agrees
  /// with a slow reference that walks years and months one by one, the output parses back, and
  /// the same local time written with a random offset parses to the same instant.
  @Test("random times: iso8601 matches the reference, round trips, offsets agree")
  func randomTimes() {
    var random = SplitMix64(seed: 0x5EED_0F_E7F1_1A7C)
    for _ in 0..<10_000 {
      let milliseconds = Int64(random.next() % UInt64(Self.latest + 1))
      let text = Timestamp.iso8601(milliseconds)
      #expect(text == referenceISO8601(milliseconds))
      #expect(parse(text) == milliseconds, "\(text)")
      var buffer: [UInt8] = []
      Timestamp.appendISO8601(milliseconds, to: &buffer)
      #expect(buffer == Array(text.utf8))

      let offsetMinutes = Int64(random.next() % (2 * 1439 + 1)) - 1439  // -23:59 to +23:59
      let local = milliseconds + offsetMinutes * 60_000
      guard (0...Self.latest).contains(local) else { continue }
      let magnitude = abs(offsetMinutes)
      let sign = offsetMinutes < 0 ? "-" : "+"
      let zone = "\(sign)\(pad(magnitude / 60, 2)):\(pad(magnitude % 60, 2))"
      let localText = "\(referenceISO8601(local).dropLast())\(zone)"
      #expect(parse(localText) == milliseconds, "\(localText)")
    }
  }
}

// MARK: - Helpers

private func parse(_ text: String) -> Int64? {
  Array(text.utf8).withUnsafeBytes { Timestamp.parse($0) }
}

/// `value` in decimal, zero-padded to `width` digits.
private func pad(_ value: Int64, _ width: Int) -> String {
  let digits = String(value)
  return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// The reference formatter for times from 1970 on: counts whole years from 1970, then whole
/// months, by their lengths. Slow on purpose, and shares nothing with the code under test.
private func referenceISO8601(_ milliseconds: Int64) -> String {
  precondition(milliseconds >= 0)
  func isLeap(_ year: Int64) -> Bool { year % 400 == 0 || (year % 4 == 0 && year % 100 != 0) }
  var days = milliseconds / 86_400_000
  var rest = milliseconds % 86_400_000
  var year: Int64 = 1970
  while days >= (isLeap(year) ? 366 : 365) {
    days -= isLeap(year) ? 366 : 365
    year += 1
  }
  let monthLengths: [Int64] = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
  var month: Int64 = 1
  for length in monthLengths {
    if days < length { break }
    days -= length
    month += 1
  }
  let millisecond = rest % 1000
  rest /= 1000
  let second = rest % 60
  rest /= 60
  let minute = rest % 60
  let hour = rest / 60
  return "\(pad(year, 4))-\(pad(month, 2))-\(pad(days + 1, 2))T\(pad(hour, 2)):\(pad(minute, 2))"
    + ":\(pad(second, 2)).\(pad(millisecond, 3))Z"
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator, so the random cases are the same on
/// every run and every platform.
private struct SplitMix64 {
  var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}
