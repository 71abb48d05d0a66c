import ExfilWatchEvent

/// Lengths of time in milliseconds, the unit of every time in the simulator (UTC epoch ms, like
/// the canonical event).
enum Milliseconds {
  static let minute: Int64 = 60_000
  static let hour: Int64 = 3_600_000
  static let day: Int64 = 86_400_000
}

/// `2025-06-30T09:41:07.123Z`: the canonical event's time format, for labels.
func isoTimestamp(_ milliseconds: Int64) -> String {
  let buffer = RecordBuffer(capacity: 64)
  var dates = DateDigitsCache()
  buffer.appendISOTime(milliseconds, dates: &dates, zone: "Z")
  return buffer.string
}
