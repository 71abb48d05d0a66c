import ExfilWatchParser
import ExfilWatchTestSupport
import Testing

extension TimestampTests {
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
    var random = SeededGenerator(seed: 0x5EED_0F_E7F1_1A7C)
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
