/// Numbers, times and values from logs as findings, summaries and messages show them to a
/// person, the same way everywhere.
public enum DisplayText {
  /// `1,224,000`.
  public static func grouped(_ value: Int64) -> String {
    let digits = String(value.magnitude)
    var text = ""
    for (index, digit) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { text += "," }
      text.append(digit)
    }
    return value < 0 ? "-" + text : text
  }

  /// `14.2`, `-0.4`; non-finite values as Swift writes them.
  public static func oneDecimal(_ value: Double) -> String {
    decimals(value, places: 1)
  }

  /// `value` rounded to `places` (1 to 6) decimals: `0.42`; non-finite values as Swift writes
  /// them.
  public static func decimals(_ value: Double, places: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale: Int64 = 1
    for _ in 0..<places { scale *= 10 }
    let scaled = Int64((value * Double(scale)).rounded())
    let sign = scaled < 0 ? "-" : ""
    let fraction = String(scaled.magnitude % UInt64(scale))
    return "\(sign)\(scaled.magnitude / UInt64(scale))." + String(repeating: "0", count: places - fraction.count) + fraction
  }

  /// A volume as precise as a person needs to compare it: whole numbers from 10 up (`340`,
  /// `4,100`), one decimal below (`0.4`); non-finite values as Swift writes them.
  public static func approximate(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    return value >= 10 ? grouped(Int64(value.rounded())) : oneDecimal(value)
  }

  /// `35.8 MB` (decimal megabytes, one decimal).
  public static func megabytes(_ bytes: Int64) -> String {
    decimals(Double(bytes) / 1_000_000, places: 1) + " MB"
  }

  /// `2025-07-04T21:15:00Z`: epoch milliseconds to the second, UTC.
  public static func utcSeconds(_ epochMilliseconds: Int64) -> String {
    let seconds = epochMilliseconds >= 0 ? epochMilliseconds / 1000 : (epochMilliseconds - 999) / 1000
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = Int(seconds - days * 86_400)
    let date = CivilDate(daysSinceEpoch: Int(days))
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(date)T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
  }

  /// A value from the logs as one word on a terminal: control and format characters escaped
  /// (`\u{1B}`), so a crafted user name cannot move the cursor, hide text or forge a line; in
  /// quotes (with `"` and `\` escaped) when it is empty or holds spaces, quotes or escapes.
  public static func quoted(_ value: String) -> String {
    var escaped = ""
    var needsQuotes = value.isEmpty
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"", "\\":
        escaped += "\\\(scalar)"
        needsQuotes = true
      case " ":
        escaped.unicodeScalars.append(scalar)
        needsQuotes = true
      case _ where isInvisible(scalar):
        escaped += scalar.escaped(asASCII: true)
        needsQuotes = true
      default:
        escaped.unicodeScalars.append(scalar)
      }
    }
    return needsQuotes ? "\"\(escaped)\"" : escaped
  }

  /// Whether the character would change what a terminal shows, or where a line ends, rather
  /// than show itself: controls (escape sequences, newlines), format characters (bidirectional
  /// overrides) and Unicode line breaks. Values from logs escape these wherever they are shown
  /// or framed.
  public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
    invisibleCategories.contains(scalar.properties.generalCategory)
  }

  private static let invisibleCategories: Set<Unicode.GeneralCategory> = [
    .control, .format, .lineSeparator, .paragraphSeparator,
  ]
}
