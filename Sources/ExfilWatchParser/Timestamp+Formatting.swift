import ExfilWatchEvent

/// Event times written as ISO-8601 UTC with milliseconds (the `time` of `exfilwatch events`).

extension Timestamp {
  /// Writes `milliseconds` as ISO-8601 UTC with milliseconds at `output`, which has room for
  /// `maxISO8601Length` bytes; returns how many bytes it wrote.
  static func writeISO8601(_ milliseconds: Int64, to output: UnsafeMutablePointer<UInt8>) -> Int {
    // Floor division: a time before 1970 lies in the day that starts before it.
    var days = milliseconds / millisecondsPerDay
    var signedMillisecondOfDay = milliseconds % millisecondsPerDay
    if signedMillisecondOfDay < 0 {
      days -= 1
      signedMillisecondOfDay += millisecondsPerDay
    }
    let date = CivilDate(daysSinceEpoch: Int(days))
    let (year, month, day) = (Int64(date.year), UInt32(date.month), UInt32(date.day))

    let yearLength: Int
    if (0...9999).contains(year) {
      writeDigits(UInt32(year), count: 4, to: output)
      yearLength = 4
    } else {
      output[0] = year < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
      yearLength = 1 + writeExpandedYear(year.magnitude, to: output + 1)
    }

    // From here on every field is small: 32-bit arithmetic is enough, and cheaper.
    let millisecondOfDay = UInt32(signedMillisecondOfDay)
    let secondOfDay = millisecondOfDay / 1000
    let rest = output + yearLength
    rest[0] = UInt8(ascii: "-")
    writeDigits(month, count: 2, to: rest + 1)
    rest[3] = UInt8(ascii: "-")
    writeDigits(day, count: 2, to: rest + 4)
    rest[6] = UInt8(ascii: "T")
    writeDigits(secondOfDay / 3600, count: 2, to: rest + 7)
    rest[9] = UInt8(ascii: ":")
    writeDigits(secondOfDay / 60 % 60, count: 2, to: rest + 10)
    rest[12] = UInt8(ascii: ":")
    writeDigits(secondOfDay % 60, count: 2, to: rest + 13)
    rest[15] = UInt8(ascii: ".")
    writeDigits(millisecondOfDay % 1000, count: 3, to: rest + 16)
    rest[19] = UInt8(ascii: "Z")
    return yearLength + 20
  }

  /// Writes the last `count` decimal digits of `value`, zero-padded.
  @inline(__always)
  private static func writeDigits(
    _ value: UInt32, count: Int, to output: UnsafeMutablePointer<UInt8>
  ) {
    var rest = value
    for index in stride(from: count - 1, through: 0, by: -1) {
      output[index] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
      rest /= 10
    }
  }

  /// Writes a year beyond 9999 (or before 0000) without its sign, in at least four digits;
  /// returns how many it wrote. Only reached from times `parse(_:)` never returns.
  private static func writeExpandedYear(
    _ magnitude: UInt64, to output: UnsafeMutablePointer<UInt8>
  ) -> Int {
    var digitCount = 4
    var higherDigits = magnitude / 10_000
    while higherDigits > 0 {
      digitCount += 1
      higherDigits /= 10
    }
    var rest = magnitude
    for index in stride(from: digitCount - 1, through: 0, by: -1) {
      output[index] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
      rest /= 10
    }
    return digitCount
  }
}
