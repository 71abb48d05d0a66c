import ArgumentParser
import ExfilWatchEvent

/// A span of event time given on the command line: `90s`, `5m`, `1h`, `3d`, `500ms`
/// (`DurationText`).
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible {
  var milliseconds: Int64

  init(milliseconds: Int64) {
    self.milliseconds = milliseconds
  }

  /// The longest span any duration option takes: ten years.
  static let longestSpan = DurationArgument(milliseconds: 3660 * 86_400_000)

  init?(argument: String) {
    guard let milliseconds = DurationText.milliseconds(argument) else { return nil }
    self.milliseconds = milliseconds
  }

  /// The largest whole unit: `3d`, `90m`, `0s`.
  var description: String { DurationText.text(milliseconds: milliseconds) }

  var defaultValueDescription: String { description }
}
