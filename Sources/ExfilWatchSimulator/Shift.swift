import ExfilWatchEvent

/// One agent's working day: when the agent is logged in, the lunch break, how busy the queues
/// are, and the console session's keys.
struct Shift {
  /// The agent's local date (days since 1970-01-01).
  let localDay: Int
  /// UTC epoch ms.
  let start: Int64
  let end: Int64
  let lunchStart: Int64
  let lunchEnd: Int64
  /// Calls relative to the agent's usual pace: the weekly rhythm (Mondays busier, weekends
  /// quieter), the holiday surge, and the day's own variation (log-normal, 15%).
  let intensity: Double
  /// Seed of the session's keys: one console login per shift.
  let sessionSeed: UInt64
}

extension Organisation {
  /// Chance that an agent scheduled to work is off (sick, leave, training).
  static let absenceChance = 0.04

  /// Agent `index`'s shift on its local date `localDay`, or nil on a day off.
  ///
  /// A pure function of the seed, the agent and the day, so an attack can find out when its
  /// victim works, and in which session, without running the victim's traffic.
  func shift(agent index: Int, localDay: Int) -> Shift? {
    let agent = agents[index]
    var random = SimulationRandom(seed: options.seed, stream: .shift(agent: index, day: localDay))
    let weekday = CivilDate.weekday(daysSinceEpoch: localDay)
    let surge = calendar.surgeFactor(day: localDay)
    let scheduledOff = weekday == agent.daysOff.0 || weekday == agent.daysOff.1
    let absent = random.chance(Self.absenceChance)
    // In the surge, a fifth of those with the day off are called in, and shifts run long.
    let calledIn = surge > 1 && scheduledOff && random.chance(0.2)
    guard (!scheduledOff && !absent) || calledIn else { return nil }

    let offset = Int64(Site.all[agent.site].utcOffsetMinutes) * Milliseconds.minute
    let startMinute = Int64(agent.shiftStartMinute + random.int(-10...15))
    let start = Int64(localDay) * Milliseconds.day + startMinute * Milliseconds.minute - offset
      + random.int64(0...59_999)
    let overtime = surge > 1 ? random.int(30...90) : 0
    let length = Int64(agent.shiftMinutes + overtime + random.int(-15...15)) * Milliseconds.minute
    let lunchStart = start + length * Int64(random.int(42...55)) / 100
    let lunchEnd = lunchStart + Int64(random.int(45...60)) * Milliseconds.minute
    let weekly = weekday >= 5 ? 0.85 : (weekday == 0 ? 1.1 : 1.0)
    // Part of the surge is carried by the extra agents and hours; the rest by busier queues.
    let queues = surge > 1 ? surge / 1.15 : 1
    return Shift(
      localDay: localDay, start: start, end: start + length, lunchStart: lunchStart,
      lunchEnd: lunchEnd, intensity: weekly * queues * random.logNormal(median: 1, sigma: 0.15),
      sessionSeed: random.next() | 1)
  }

  /// The local dates whose shifts can fall inside the simulated window (a night shift that
  /// starts the evening before the first day reaches into it).
  var localDaysOfWindow: ClosedRange<Int> {
    options.firstDay - 1...options.firstDay + options.days
  }
}
