/// Spans of time as people write them in options and config files: `90s`, `5m`, `1h`, `3d`,
/// `500ms`, `2w`; one number and one unit, so `1h30m` is written `90m`.
public enum DurationText {
  public static let units: [(suffix: String, milliseconds: Int64)] = [
    ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
  ]

  /// The span in milliseconds, or `nil` for anything else (no unit, a sign, an overflow).
  public static func milliseconds(_ text: String) -> Int64? {
    let digits = text.prefix { $0.isASCII && $0.isNumber }
    let suffix = String(text.dropFirst(digits.count))
    guard let value = Int64(digits), let unit = units.first(where: { $0.suffix == suffix }),
      value <= Int64.max / unit.milliseconds
    else { return nil }
    return value * unit.milliseconds
  }

  /// The largest whole unit: `3d`, `90m`, `0s`.
  public static func text(milliseconds: Int64) -> String {
    for unit in units.reversed() where milliseconds != 0 && milliseconds % unit.milliseconds == 0 {
      return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
    }
    return "0s"
  }
}
