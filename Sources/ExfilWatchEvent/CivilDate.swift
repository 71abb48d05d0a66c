/// A calendar date (proleptic Gregorian, UTC), converted to and from days since 1970-01-01 with
/// Howard Hinnant's algorithms: the one calendar of ExfilWatch (timestamp parsing and
/// formatting, the simulator's days), with no Foundation `Calendar` on any hot path.
public struct CivilDate: Equatable, Sendable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int

  public init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// `2025-06-01`; nil unless it is exactly `YYYY-MM-DD` and a real date.
  public init?(parsing text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
      (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month)
    else { return nil }
    self.init(year: year, month: month, day: day)
  }

  public init(daysSinceEpoch days: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  }

  public var daysSinceEpoch: Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
  public static func weekday(daysSinceEpoch days: Int) -> Int {
    ((days % 7) + 7 + 3) % 7
  }

  public static func isLeapYear(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  /// The length of a month (1-12) in the given year.
  public static func daysInMonth(year: Int, month: Int) -> Int {
    if month == 2 { return isLeapYear(year) ? 29 : 28 }
    // 31 days in months 1, 3, 5, 7, 8, 10, 12: odd months up to July, even ones from August;
    // adding `month >> 3` (1 from August on) flips the parity there.
    return 30 + ((month + month >> 3) & 1)
  }

  /// `2025-06-01`.
  public var description: String {
    func padded(_ value: Int, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
  }
}
