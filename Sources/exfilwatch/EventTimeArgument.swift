import ArgumentParser
import ExfilWatchEvent
import ExfilWatchParser

/// A moment of event time on the command line: a UTC date (`2025-06-01`, its midnight) or a
/// timestamp in any layout the parsers accept (`2025-06-01T12:00:00Z`, `2025-06-01 12:00:00`).
struct EventTimeArgument: ExpressibleByArgument, CustomStringConvertible {
  var milliseconds: Int64

  init?(argument: String) {
    if argument.count == 10, let date = CivilDate(parsing: argument) {
      milliseconds = Int64(date.daysSinceEpoch) * 86_400_000
      return
    }
    var text = argument
    guard let parsed = text.withUTF8({ Timestamp.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
    milliseconds = parsed
  }

  var description: String { DisplayText.utcSeconds(milliseconds) }
}
