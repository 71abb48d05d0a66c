/// One agent's console traffic, shift after shift: each caller is looked up (a Contact search
/// by phone or surname), then often their recent cases and sometimes their account, as in
/// SampleLogs; team leads also page through their escalation queue.
///
/// Calls arrive at random (exponential gaps) at the agent's own pace, scaled by the shift's
/// intensity and by a within-shift rhythm (slow first hour, a late-morning peak, a post-lunch
/// dip, an afternoon peak, a quiet last hour). Each shift draws from its own random stream, so
/// any range of days can be replayed alone (attacks measure their victim's history this way).
final class AgentActivity: ActivitySource {
  /// The typical agent's mean minutes between callers (about 70 callers, 130-150 queries and
  /// 700-900 records on an eight-hour shift).
  static let meanMinutesBetweenCalls = 6.5
  /// Chance per call that a team lead also checks the escalation queue.
  static let escalationChance = 0.08

  private let organisation: Organisation
  private let profile: AgentProfile
  // The generator's state is exempt from dynamic exclusivity checks: it changes several times
  // per record, a source is driven by one thread, and nothing re-enters it.
  @exclusivity(unchecked) private var nextDay: Int
  private let lastDay: Int
  @exclusivity(unchecked) private var shift: Shift?
  @exclusivity(unchecked) private var random = SimulationRandom(noise: 0)
  @exclusivity(unchecked) private var clock: Int64 = 0
  @exclusivity(unchecked) private var pending: [SimulatedEvent] = []
  @exclusivity(unchecked) private var pendingIndex = 0

  /// The agent's traffic on the local dates `days` (by default, every day of the window).
  init(organisation: Organisation, agent: Int, days: ClosedRange<Int>? = nil) {
    self.organisation = organisation
    profile = organisation.agents[agent]
    let days = days ?? organisation.localDaysOfWindow
    nextDay = days.lowerBound
    lastDay = days.upperBound
    pending.reserveCapacity(4)
  }

  func next() -> SimulatedEvent? {
    while pendingIndex == pending.count {
      pending.removeAll(keepingCapacity: true)
      pendingIndex = 0
      if !handleNextCall() && !startNextShift() { return nil }
    }
    pendingIndex += 1
    return pending[pendingIndex - 1]
  }

  /// The records the agent reads on each worked day in `days`: the "normal volume" attacks
  /// are measured against.
  static func dailyRecords(organisation: Organisation, agent: Int, days: ClosedRange<Int>) -> [Int64] {
    let activity = AgentActivity(organisation: organisation, agent: agent, days: days)
    var totals: [Int: Int64] = [:]
    while let event = activity.next() {
      totals[activity.shift!.localDay, default: 0] += event.counted
    }
    return totals.keys.sorted().map { totals[$0]! }
  }

  private func startNextShift() -> Bool {
    while nextDay <= lastDay {
      let day = nextDay
      nextDay += 1
      if let shift = organisation.shift(agent: profile.index, localDay: day) {
        self.shift = shift
        random = SimulationRandom(
          seed: organisation.options.seed, stream: .agentWork(agent: profile.index, day: day))
        clock = shift.start
        return true
      }
    }
    shift = nil
    return false
  }

  /// Handles the next caller of the shift (or steps over lunch); false when the shift is over.
  private func handleNextCall() -> Bool {
    guard let shift, clock < shift.end else { return false }
    if clock >= shift.lunchStart && clock < shift.lunchEnd {
      clock = shift.lunchEnd + random.int64(0...300_000)
      return true
    }
    var time = clock
    let rows = min(50, 1 + Int64(random.exponential(mean: profile.contactRowsMean - 1)))
    let search: QueryText =
      random.chance(profile.phoneSearchChance)
      ? .contactByPhone(lastDigits: random.int(0...9999))
      : .contactByName(surname: random.int(0...CallerNames.surnames.count - 1))
    emit(at: time, .contact, search, rows: rows, session: shift.sessionSeed)
    if random.chance(profile.caseLookupChance) {
      time += random.int64(4_000...40_000)
      emit(
        at: time, .supportCase, .casesOfContact(contactSeed: random.next()),
        rows: random.int64(1...12), session: shift.sessionSeed)
    }
    if random.chance(profile.accountLookupChance) {
      time += random.int64(5_000...60_000)
      emit(
        at: time, .account, .accountByID(accountSeed: random.next()), rows: random.int64(1...3),
        session: shift.sessionSeed)
    }
    if profile.isTeamLead && random.chance(Self.escalationChance) {
      time += random.int64(10_000...90_000)
      emit(
        at: time, .supportCase, .escalatedCases(queueSeed: random.next()),
        rows: random.int64(20...200), session: shift.sessionSeed)
    }
    let progress = Double(clock - shift.start) / Double(shift.end - shift.start)
    let meanGap = Self.meanMinutesBetweenCalls * Double(Milliseconds.minute)
      / (profile.pace * shift.intensity * Self.rhythm(progress))
    clock = time + 20_000 + Int64(random.exponential(mean: meanGap))
    return true
  }

  /// Call volume through a shift, relative to its average.
  static func rhythm(_ progress: Double) -> Double {
    switch progress {
    case ..<0.1: 0.75
    case ..<0.35: 1.15
    case ..<0.5: 1.0
    case ..<0.6: 0.9
    case ..<0.85: 1.1
    default: 0.8
    }
  }

  private func emit(at time: Int64, _ entity: Entity, _ query: QueryText, rows: Int64, session: UInt64) {
    pending.append(
      SimulatedEvent(
        time: time, kind: .query, entity: entity, principal: profile.principal, session: session,
        query: query, rowsProcessed: rows, rowsReturned: rows, totalSize: rows, counted: rows,
        elapsed: Int32(random.int(12...180)), noise: random.next()))
  }
}
