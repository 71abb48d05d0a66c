import ExfilWatchEvent

/// The days of a simulation that are not like the others: a holiday surge and month ends.
///
/// Normal traffic has a weekly rhythm (weekends are quieter), a few days of holiday surge (call
/// volume 1.5-1.9 times normal: more agents called in, longer shifts, busier queues) and, on
/// the last business day of a month, analysts' month-end report exports. A detector has to
/// live with all three without alerting.
struct WorkCalendar {
  /// Days since 1970-01-01 of the first simulated day, and how many.
  let firstDay: Int
  let days: Int
  /// The surge's days (since 1970-01-01); empty for simulations under a week.
  let surgeDays: Range<Int>
  /// The surge's call volume relative to a normal day, one per surge day.
  let surgeFactors: [Double]

  init(firstDay: Int, days: Int, random: inout SimulationRandom) {
    self.firstDay = firstDay
    self.days = days
    guard days >= 7 else {
      surgeDays = firstDay..<firstDay
      surgeFactors = []
      return
    }
    let start = firstDay + days * 3 / 5
    let length = min(4, firstDay + days - 1 - start)
    surgeDays = start..<start + length
    // Ramps up, peaks, eases off.
    let peak = random.double(1.7...1.9)
    let shape = [0.82, 1.0, 0.95, 0.85]
    surgeFactors = (0..<length).map { max(1.5, peak * shape[$0]) }
  }

  /// The call volume of `day` relative to a normal day of its weekday (1 outside the surge).
  func surgeFactor(day: Int) -> Double {
    surgeDays.contains(day) ? surgeFactors[day - surgeDays.lowerBound] : 1
  }

  static func isWeekend(_ day: Int) -> Bool {
    CivilDate.weekday(daysSinceEpoch: day) >= 5
  }

  /// Whether `day` is the last weekday of its month: when month-end reports are exported.
  static func isMonthEnd(_ day: Int) -> Bool {
    guard !isWeekend(day) else { return false }
    let month = CivilDate(daysSinceEpoch: day).month
    var next = day + 1
    while CivilDate(daysSinceEpoch: next).month == month {
      if !isWeekend(next) { return false }
      next += 1
    }
    return true
  }

  /// How much a day's activity moves the next night's integration deltas: records changed
  /// follow the calls handled.
  func activityFactor(day: Int) -> Double {
    (Self.isWeekend(day) ? 0.55 : 1) * surgeFactor(day: day)
  }

  /// Simulated days (since 1970-01-01) on which attacks may start: after the first part of the
  /// simulation (half of it for one-day attacks, a third for week-long ones), so the detector
  /// has history; not on the last day, so the attack fits; and, when possible, away from the
  /// surge and on a weekday.
  func attackDays(span: Int) -> [Int] {
    let lowest = firstDay + max(1, span > 1 ? days / 3 : days / 2)
    let highest = max(lowest, firstDay + days - 1 - span)
    let all = Array(lowest...highest).filter { $0 + span <= firstDay + days }
    let clear = all.filter { day in (day..<day + span).allSatisfy { !surgeDays.contains($0) } }
    let weekdays = clear.filter { !Self.isWeekend($0) }
    if !weekdays.isEmpty { return weekdays }
    if !clear.isEmpty { return clear }
    return all.isEmpty ? [max(firstDay, firstDay + days - span)] : all
  }
}
