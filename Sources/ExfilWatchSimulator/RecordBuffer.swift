import ExfilWatchEvent

import Glibc

/// The text of records waiting to be compressed: one allocation, reused for the whole run.
///
/// Records are formatted straight into it as bytes (literal pieces are `memcpy`d, numbers are
/// written digit by digit), because building a `String` per field would cost more than the
/// compression. Appends do not check for room: a writer calls `hasRoom` between records, and
/// the buffer keeps `recordReserve` bytes spare, more than any one record needs.
///
/// Its length is exempt from dynamic exclusivity checks: it changes dozens of times per record,
/// a buffer is used by one thread, and no method of it calls out while changing it.
final class RecordBuffer {
  private let base: UnsafeMutablePointer<UInt8>
  let capacity: Int
  @exclusivity(unchecked) private(set) var count = 0

  /// The most bytes one record may take (the longest is an ApiEvent line, about 1.6 KB).
  static let recordReserve = 16 << 10

  init(capacity: Int) {
    self.capacity = capacity + Self.recordReserve
    base = .allocate(capacity: self.capacity)
  }

  deinit {
    base.deallocate()
  }

  var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// Whether another record fits without going past the reserve.
  var hasRoom: Bool { count < capacity - Self.recordReserve }

  func removeAll() {
    count = 0
  }

  var string: String { String(decoding: bytes, as: UTF8.self) }

  @inline(__always)
  func append(_ byte: UInt8) {
    assert(count < capacity)
    base[count] = byte
    count += 1
  }

  @inline(__always)
  func append(_ text: StaticString) {
    let length = text.utf8CodeUnitCount
    assert(count + length <= capacity)
    memcpy(base + count, text.utf8Start, length)
    count += length
  }

  @inline(__always)
  func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { source in
      assert(count + source.count <= capacity)
      if let start = source.baseAddress { memcpy(base + count, start, source.count) }
      count += source.count
    }
  }

  /// Lets `fill` write exactly `count` bytes in place.
  @inline(__always)
  func appendUninitialized(count length: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Void) {
    assert(count + length <= capacity)
    fill(base + count)
    count += length
  }

  /// A non-negative integer in decimal.
  func appendDecimal(_ value: Int64) {
    precondition(value >= 0, "only counts and durations are written")
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var length = 0
    var rest = UInt64(value)
    withUnsafeMutableBytes(of: &digits) { scratch in
      repeat {
        scratch[23 - length] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
        rest /= 10
        length += 1
      } while rest > 0
      memcpy(base + count, scratch.baseAddress! + 24 - length, length)
    }
    count += length
  }

  func appendDecimal(_ value: Int) {
    appendDecimal(Int64(value))
  }

  /// A count as a JSON double, the way Salesforce writes `RowsProcessed`: `2000.0`.
  func appendWholeDouble(_ value: Int64) {
    appendDecimal(value)
    append(".0")
  }

  /// `value` with leading zeros to exactly `width` digits (`value` < 10^width).
  @inline(__always)
  func appendPadded(_ value: Int, width: Int) {
    var rest = value
    var index = width - 1
    while index >= 0 {
      base[count + index] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
      rest /= 10
      index -= 1
    }
    count += width
  }
}

/// The date digits of the last day formatted: consecutive records are nearly always on the
/// same day, so the civil date is worked out once a day, not once a timestamp.
struct DateDigitsCache {
  private var cachedDay = Int64.min
  private(set) var year = 1970
  private(set) var month = 1
  private(set) var day = 1

  mutating func load(day index: Int64) {
    guard index != cachedDay else { return }
    let date = CivilDate(daysSinceEpoch: Int(index))
    cachedDay = index
    year = date.year
    month = date.month
    day = date.day
  }
}

extension RecordBuffer {
  /// `2025-06-30T09:41:07.123` followed by `zone` (`+0000` for RTEM, `Z` for ELF and labels).
  func appendISOTime(_ milliseconds: Int64, dates: inout DateDigitsCache, zone: StaticString) {
    let (day, timeOfDay) = Self.split(milliseconds)
    appendDate(day: day, dates: &dates)
    append(UInt8(ascii: "T"))
    appendClock(timeOfDay, separated: true)
    append(zone)
  }

  /// `2025-06-30`: the day `day` (days since 1970-01-01).
  func appendDate(day: Int64, dates: inout DateDigitsCache) {
    dates.load(day: day)
    appendPadded(dates.year, width: 4)
    append(UInt8(ascii: "-"))
    appendPadded(dates.month, width: 2)
    append(UInt8(ascii: "-"))
    appendPadded(dates.day, width: 2)
  }

  /// `20250630094107.123`: the ELF `TIMESTAMP` column (GMT).
  func appendCompactTime(_ milliseconds: Int64, dates: inout DateDigitsCache) {
    let (day, timeOfDay) = Self.split(milliseconds)
    dates.load(day: day)
    appendPadded(dates.year, width: 4)
    appendPadded(dates.month, width: 2)
    appendPadded(dates.day, width: 2)
    appendClock(timeOfDay, separated: false)
  }

  private func appendClock(_ timeOfDay: Int, separated: Bool) {
    appendPadded(timeOfDay / 3_600_000, width: 2)
    if separated { append(UInt8(ascii: ":")) }
    appendPadded(timeOfDay / 60_000 % 60, width: 2)
    if separated { append(UInt8(ascii: ":")) }
    appendPadded(timeOfDay / 1000 % 60, width: 2)
    append(UInt8(ascii: "."))
    appendPadded(timeOfDay % 1000, width: 3)
  }

  private static func split(_ milliseconds: Int64) -> (day: Int64, timeOfDay: Int) {
    var day = milliseconds / Milliseconds.day
    var rest = milliseconds % Milliseconds.day
    if rest < 0 {
      day -= 1
      rest += Milliseconds.day
    }
    return (day, Int(rest))
  }
}
