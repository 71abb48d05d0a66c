import ArgumentParser

/// A span of event time given on the command line: `90s`, `5m`, `1h`, `3d`, `500ms`.
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible {
  var milliseconds: Int64

  init(milliseconds: Int64) {
    self.milliseconds = milliseconds
  }

  static let units: [(suffix: String, milliseconds: Int64)] = [
    ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
  ]

  /// The longest span any duration option takes: ten years.
  static let longestSpan = DurationArgument(milliseconds: 3660 * 86_400_000)

  init?(argument: String) {
    let digits = argument.prefix { $0.isASCII && $0.isNumber }
    let suffix = String(argument.dropFirst(digits.count))
    guard let value = Int64(digits), let unit = Self.units.first(where: { $0.suffix == suffix }),
      value <= Int64.max / unit.milliseconds
    else { return nil }
    milliseconds = value * unit.milliseconds
  }

  /// The largest whole unit: `3d`, `90m`, `0s`.
  var description: String {
    for unit in Self.units.reversed() where milliseconds != 0 && milliseconds % unit.milliseconds == 0 {
      return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
    }
    return "0s"
  }

  var defaultValueDescription: String { description }
}
