import ExfilWatchEvent

/// Event times as UTC epoch milliseconds.
///
/// Every format's time field goes through `parse(_:)` (a string's bytes, no quotes) or
/// `fromEpoch(_:)` (a JSON number), once per record, so both work on bytes and numbers without
/// Foundation, without `Calendar` and without allocating. The layouts (see Formats.md,
/// "Timestamps"), told apart by a `-` as fifth byte or else by how many digits they start with:
///
/// ```
///  "-" at byte 4  | 2025-06-30T09:41:07.123+00:00   ISO-8601 (`T`, `t` or space; zone optional)
///                 | 2025-06-30 09:41:07             ServiceNow `sys_created_on`, UTC
///  14 digits      | 20250630094107.123              Salesforce ELF `TIMESTAMP`, GMT
///  10 digits      | 1751276467.123                  epoch seconds as a string
///  13 digits      | 1751276467123                   epoch milliseconds as a string
/// ```
///
/// A date is valid only if it exists in the proleptic Gregorian calendar (leap years
/// included); anything around or after the time, even whitespace, makes the whole value
/// invalid. A fraction of a second is truncated to milliseconds, never rounded, so an event
/// never moves into the next millisecond (or the next day). Dates become days through
/// Howard Hinnant's `days_from_civil` and back through `civil_from_days`
/// (https://howardhinnant.github.io/date_algorithms.html).
///
/// Every time `parse(_:)` and `fromEpoch(_:)` return lies in years 0000 to 9999 UTC, the years
/// `iso8601(_:)` writes with four digits, so whatever they accept prints back as it parses.
public enum Timestamp {
  /// 0000-01-01T00:00:00.000Z, the earliest time accepted.
  static let earliestMilliseconds: Int64 = -62_167_219_200_000
  /// 9999-12-31T23:59:59.999Z, the latest time accepted.
  static let latestMilliseconds: Int64 = 253_402_300_799_999
  /// Epoch values from here up are milliseconds, below it seconds: 1e11 seconds is the year
  /// 5138, 1e11 milliseconds is 1973, so neither reading is plausible for a real log across
  /// the boundary.
  static let smallestEpochMillisecondsValue = 100_000_000_000.0

  /// The longest `iso8601(_:)` output: the year of `Int64.min` milliseconds has nine digits
  /// and a sign, `-292275055-05-16T16:47:04.192Z`.
  static let maxISO8601Length = 32

  static let millisecondsPerDay: Int64 = 86_400_000

  /// Parses any accepted layout (see Formats.md) from raw bytes (no quotes). Returns epoch ms,
  /// or nil.
  public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
    var cursor = ByteCursor(bytes)
    let milliseconds: Int64?
    if cursor.count >= 19, cursor.byte(at: 4) == UInt8(ascii: "-") {
      // The layout of nearly every log first, without counting digits.
      milliseconds = parseDateTime(&cursor)
    } else {
      switch cursor.leadingDigitCount() {
      case 14: milliseconds = parseCompactDateTime(&cursor)
      case 10: milliseconds = parseEpochSeconds(&cursor)
      case 13: milliseconds = cursor.number(digits: 13)
      default: return nil
      }
    }
    guard let milliseconds, cursor.isAtEnd,
      (earliestMilliseconds...latestMilliseconds).contains(milliseconds)
    else { return nil }
    return milliseconds
  }

  /// Epoch seconds or milliseconds given as a JSON number's value (e.g. 1751276467,
  /// 1751276467.123, 1751276467123). Values >= 100_000_000_000 are milliseconds.
  ///
  /// NaN, infinities and times outside years 0000 to 9999 give nil. Fractions of a millisecond
  /// are dropped (towards the past, like the fraction in `parse(_:)`), but the number is first
  /// taken as the decimal it was written as: `1751276467.123` is stored as the nearest double,
  /// 1751276467.1229999…, and must still give `…123`, not `…122`. So a scaled value within two
  /// units in the last place of a whole millisecond counts as that millisecond: the decimal to
  /// double conversion and the scaling by 1000 together err by less than 1.5 of those units.
  public static func fromEpoch(_ value: Double) -> Int64? {
    guard value.isFinite else { return nil }
    let scaled = value >= smallestEpochMillisecondsValue ? value : value * 1000
    // Compares as doubles before converting, which would trap for huge values; both bounds
    // are exact in a double (below 2^53).
    guard scaled > Double(earliestMilliseconds) - 1, scaled < Double(latestMilliseconds) + 1 else {
      return nil
    }
    let nearest = scaled.rounded()
    let whole = abs(scaled - nearest) <= 2 * scaled.ulp ? nearest : scaled.rounded(.down)
    let milliseconds = Int64(whole)
    guard (earliestMilliseconds...latestMilliseconds).contains(milliseconds) else { return nil }
    return milliseconds
  }

  /// Formats epoch ms as ISO-8601 UTC with milliseconds: "2025-06-30T09:41:07.123Z" (any year
  /// 0000-9999).
  ///
  /// A time outside those years (never produced by `parse(_:)` or `fromEpoch(_:)`) is still
  /// written, as an ISO-8601 expanded year with a sign (`+10000-01-01T…`, `-0001-12-31T…`),
  /// which `parse(_:)` does not read back.
  public static func iso8601(_ milliseconds: Int64) -> String {
    String(unsafeUninitializedCapacity: maxISO8601Length) { buffer in
      writeISO8601(milliseconds, to: buffer.baseAddress!)
    }
  }

  /// Same, appended to a byte buffer without creating a String (hot path of `exfilwatch events`).
  public static func appendISO8601(_ milliseconds: Int64, to buffer: inout [UInt8]) {
    // Written on the stack first: an Array cannot be appended to through a pointer.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxISO8601Length) { scratch in
      let count = writeISO8601(milliseconds, to: scratch.baseAddress!)
      buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count]))
    }
  }
}

// MARK: - Parsing

extension Timestamp {
  /// `yyyy-MM-dd` `T`|`t`|` ` `HH:mm:ss`, an optional fraction, an optional zone.
  /// The seconds are required: a time without them is too unusual in audit logs to be trusted.
  private static func parseDateTime(_ cursor: inout ByteCursor) -> Int64? {
    // The first 19 bytes have fixed positions, so they are read where they must be and
    // checked together.
    guard cursor.count >= 19 else { return nil }
    var fields = FixedFields(cursor)
    let year = fields.number(at: 0, digits: 4)
    let month = fields.number(at: 5, digits: 2)
    let day = fields.number(at: 8, digits: 2)
    let hour = fields.number(at: 11, digits: 2)
    let minute = fields.number(at: 14, digits: 2)
    let second = fields.number(at: 17, digits: 2)
    let separator = cursor.byte(at: 10)
    guard fields.allDigits,
      cursor.byte(at: 4) == UInt8(ascii: "-"), cursor.byte(at: 7) == UInt8(ascii: "-"),
      separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
        || separator == UInt8(ascii: " "),
      cursor.byte(at: 13) == UInt8(ascii: ":"), cursor.byte(at: 16) == UInt8(ascii: ":")
    else { return nil }
    cursor.offset = 19
    guard let millisecond = cursor.optionalFraction(),
      let offsetSeconds = cursor.optionalZoneOffsetSeconds(),
      let local = epochMilliseconds(
        year: year, month: month, day: day,
        hour: hour, minute: minute, second: second, millisecond: millisecond)
    else { return nil }
    return local - offsetSeconds * 1000
  }

  /// Salesforce ELF `yyyyMMddHHmmss`, an optional fraction, always GMT.
  private static func parseCompactDateTime(_ cursor: inout ByteCursor) -> Int64? {
    guard cursor.count >= 14 else { return nil }
    var fields = FixedFields(cursor)
    let year = fields.number(at: 0, digits: 4)
    let month = fields.number(at: 4, digits: 2)
    let day = fields.number(at: 6, digits: 2)
    let hour = fields.number(at: 8, digits: 2)
    let minute = fields.number(at: 10, digits: 2)
    let second = fields.number(at: 12, digits: 2)
    guard fields.allDigits else { return nil }
    cursor.offset = 14
    guard let millisecond = cursor.optionalFraction() else { return nil }
    return epochMilliseconds(
      year: year, month: month, day: day,
      hour: hour, minute: minute, second: second, millisecond: millisecond)
  }

  /// Ten digits of epoch seconds (2001-09-09 to 2286-11-20), an optional fraction.
  private static func parseEpochSeconds(_ cursor: inout ByteCursor) -> Int64? {
    guard let seconds = cursor.number(digits: 10), let millisecond = cursor.optionalFraction()
    else { return nil }
    return seconds * 1000 + millisecond
  }

  /// The epoch time of a UTC calendar date and time, or nil if the date or time does not
  /// exist.
  ///
  /// A leap second (`:60`) is read as `:59` with the same fraction. Epoch time has no leap
  /// seconds, so `23:59:60.500` has no milliseconds of its own; reading it as the next
  /// minute's `00:00:00.500` would put it after events that followed it (and possibly on the
  /// next day), while `59` keeps it in its minute, in order, off by at most one second.
  @inline(__always)
  private static func epochMilliseconds(
    year: Int64, month: Int64, day: Int64,
    hour: Int64, minute: Int64, second: Int64, millisecond: Int64
  ) -> Int64? {
    guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: Int(year), month: Int(month)),
      hour <= 23, minute <= 59, second <= 60
    else { return nil }
    let secondOfDay = hour * 3600 + minute * 60 + min(second, 59)
    let days = Int64(CivilDate(year: Int(year), month: Int(month), day: Int(day)).daysSinceEpoch)
    return (days * 86_400 + secondOfDay) * 1000 + millisecond
  }
}

/// A read position in the bytes being parsed. Every read that moves checks the bounds and
/// moves on only when the bytes match. Its methods are inlined: `parse(_:)` runs once per
/// record, and calls kept out of line would hold the position in memory across each of them.
private struct ByteCursor {
  let start: UnsafeRawPointer?
  let count: Int
  var offset = 0

  init(_ bytes: UnsafeRawBufferPointer) {
    start = bytes.baseAddress
    count = bytes.count
  }

  var isAtEnd: Bool { offset == count }

  /// The byte at `index`, which the caller has checked lies below `count` (so `start` exists).
  @inline(__always)
  func byte(at index: Int) -> UInt8 {
    start.unsafelyUnwrapped.load(fromByteOffset: index, as: UInt8.self)
  }

  /// How many digits the bytes start with, counting no further than 15: enough to tell the
  /// all-digit layouts apart (10, 13 or 14).
  @inline(__always)
  func leadingDigitCount() -> Int {
    let limit = min(count, 15)
    var digitCount = 0
    while digitCount < limit, byte(at: digitCount) &- UInt8(ascii: "0") <= 9 {
      digitCount += 1
    }
    return digitCount
  }

  /// Moves past `expected` if it comes next.
  @inline(__always)
  mutating func skip(_ expected: UInt8) -> Bool {
    guard offset < count, byte(at: offset) == expected else { return false }
    offset += 1
    return true
  }

  /// The value of exactly `digits` decimal digits (at most 18), or nil.
  @inline(__always)
  mutating func number(digits: Int) -> Int64? {
    guard count - offset >= digits else { return nil }
    var value: Int64 = 0
    for index in offset..<(offset + digits) {
      let digit = byte(at: index) &- UInt8(ascii: "0")
      guard digit <= 9 else { return nil }
      value = value &* 10 &+ Int64(digit)
    }
    offset += digits
    return value
  }

  /// The milliseconds of a `.` and 1 to 9 digits if they come next, truncated (`.1239` is
  /// 123); 0 if no `.` comes next; nil for a `.` without digits or with more than 9.
  @inline(__always)
  mutating func optionalFraction() -> Int64? {
    guard skip(UInt8(ascii: ".")) else { return 0 }
    var milliseconds: Int64 = 0
    var digitCount = 0
    while offset < count {
      let digit = byte(at: offset) &- UInt8(ascii: "0")
      guard digit <= 9 else { break }
      if digitCount < 3 { milliseconds = milliseconds &* 10 &+ Int64(digit) }
      digitCount += 1
      offset += 1
    }
    switch digitCount {
    case 1: return milliseconds * 100
    case 2: return milliseconds * 10
    case 3...9: return milliseconds
    default: return nil
    }
  }

  /// The zone's offset east of UTC in seconds: 0 for no zone or `Z`/`z`; otherwise a sign and
  /// `HH:mm`, `HHmm` or `HH` (hours 0-23, minutes 0-59); nil for anything else.
  @inline(__always)
  mutating func optionalZoneOffsetSeconds() -> Int64? {
    if isAtEnd || skip(UInt8(ascii: "Z")) || skip(UInt8(ascii: "z")) { return 0 }
    let sign: Int64
    if skip(UInt8(ascii: "+")) {
      sign = 1
    } else if skip(UInt8(ascii: "-")) {
      sign = -1
    } else {
      return nil
    }
    guard let hours = number(digits: 2), hours <= 23 else { return nil }
    var minutes: Int64 = 0
    if !isAtEnd {
      _ = skip(UInt8(ascii: ":"))
      guard let parsed = number(digits: 2), parsed <= 59 else { return nil }
      minutes = parsed
    }
    return sign * (hours * 3600 + minutes * 60)
  }
}

/// Decimal fields at fixed positions, in bytes the caller has checked are long enough.
///
/// A byte that is not a digit does not stop the reading; it only makes `allDigits` false, so
/// a whole date and time costs one test rather than one per byte.
private struct FixedFields {
  let cursor: ByteCursor
  private(set) var allDigits = true

  init(_ cursor: ByteCursor) {
    self.cursor = cursor
  }

  /// The value of the `digits` bytes at `index` (at most 18), meaningful only if `allDigits`.
  @inline(__always)
  mutating func number(at index: Int, digits: Int) -> Int64 {
    var value: Int64 = 0
    for position in index..<(index + digits) {
      let digit = cursor.byte(at: position) &- UInt8(ascii: "0")
      allDigits = allDigits && digit <= 9
      value = value &* 10 &+ Int64(digit)
    }
    return value
  }
}
