/// Attacks that ride an agent's own console session: same user, same console client, same
/// address and session key as the agent's normal work, so only the volume gives them away.
extension Organisation {
  /// `compromised-agent`: during one shift, the agent's session (a RAT on the workstation, or
  /// the agent) runs broad surname-prefix searches of 2000 rows, one every few minutes for 2-4
  /// hours, until it has read 50 times the agent's normal daily volume (measured on the days
  /// the agent worked before). Single queries, no QueryMore, so the agent's own lookups in the
  /// same session cannot interleave with a paged read.
  ///
  /// A detector sees the actor's 1-hour and 24-hour sums tens of times above that actor's own
  /// baseline (the client and the office address barely move: they carry many agents).
  func stageCompromisedAgent(random: inout SimulationRandom) throws(SimulationError) -> InjectedAttack {
    let byVolume = agentsByVolume()
    let lowest = byVolume.count * 3 / 10
    let band = Set(byVolume[lowest..<max(lowest + 1, byVolume.count * 9 / 10)])
    let days = candidateDays(span: 1, random: &random)
    // Anyone on shift, if nobody in the band is (a tiny workforce).
    for (group, day) in [band, Set(agents.indices)].flatMap({ group in days.map { (group, $0) } }) {
      let onShift = agentsOnShift(day: day).filter { group.contains($0.agent) }
      guard !onShift.isEmpty else { continue }
      let (victim, shift) = onShift[random.int(0...onShift.count - 1)]
      let normal = normalDailyRecords(agent: victim, before: day)
      let total = max(2000, Int64(50 * normal))
      let start = shift.start + random.int64(60...150) * Milliseconds.minute
      let end = min(shift.end - 20 * Milliseconds.minute, start + random.int64(120...240) * Milliseconds.minute)
      let queries = Int((total + 1999) / 2000)
      let victimPrincipal = agents[victim].principal
      var plans: [ReadPlan] = []
      for index in 0..<queries {
        let entity: Entity = random.chance(0.7) ? .contact : (random.chance(0.5) ? .account : .supportCase)
        let slot = (end - start) / Int64(queries)
        plans.append(
          ReadPlan(
            start: .at(start + Int64(index) * slot + Int64(random.double(0.1...0.9) * Double(slot))),
            principal: victimPrincipal, session: shift.sessionSeed, entity: entity,
            query: .surnamePrefix(entity, prefix: random.int(0...675), limit: 2000),
            rows: min(2000, total - Int64(index) * 2000), elapsed: 400...2500, attack: 0))
      }
      let label = self.label(
        .compromisedAgent,
        "agent \(principal(victimPrincipal).usernameText)'s own console session read 50x the "
          + "agent's normal daily volume (\(Int64(normal)) records) in a few hours",
        principals: [victimPrincipal], sessions: [shift.sessionSeed], objects: plans.map(\.entity))
      return InjectedAttack(label: label, source: attackScript(plans))
    }
    throw .cannotStage(
      scenario: Scenario.compromisedAgent.rawValue, reason: "no agent is on shift on any candidate day")
  }

  /// `low-and-slow`: for a week, on every shift, the agent's session also enumerates contacts
  /// by postal code in normal-sized queries (25-50 rows, `LIMIT 50`) spread over the whole
  /// shift, adding 2-3 times the agent's normal daily volume. No single 5-minute or 1-hour
  /// window stands out from an agent's noisy short-term traffic; the 24-hour sum is 3-4 times
  /// the actor's baseline every day, for days.
  func stageLowAndSlow(random: inout SimulationRandom) throws(SimulationError) -> InjectedAttack {
    let span = min(7, options.days - 1)
    let byVolume = agentsByVolume()
    // One of the busiest agents (90th-99th percentile): the extra is several thousand records
    // a day, above a sensible absolute floor, and hides best among high-volume peers.
    let lowest = byVolume.count * 9 / 10
    let band = Array(byVolume[lowest..<max(lowest + 1, byVolume.count * 99 / 100)])
    let days = candidateDays(span: span, random: &random)
    // Anyone who works most of the week, if nobody in the band does (a tiny workforce).
    for (group, first) in [band, byVolume].flatMap({ group in days.map { (group, $0) } }) {
      let needed = max(1, (span * 4 + 6) / 7)
      let eligible = group.compactMap { agent -> (Int, [Shift])? in
        let shifts = (first..<first + span).compactMap { shift(agent: agent, localDay: $0) }
          .filter { $0.start >= windowStart && $0.end <= windowEnd }
        return shifts.count >= needed ? (agent, shifts) : nil
      }
      guard !eligible.isEmpty else { continue }
      let (victim, shifts) = eligible[random.int(0...eligible.count - 1)]
      let normal = normalDailyRecords(agent: victim, before: first)
      let factor = random.double(2...3)
      let victimPrincipal = agents[victim].principal
      var plans: [ReadPlan] = []
      for shift in shifts {
        var extra = max(50, Int64(normal * factor * random.double(0.9...1.1)))
        var sizes: [Int64] = []
        while extra > 0 {
          let rows = min(extra, random.int64(25...50))
          sizes.append(rows)
          extra -= rows
        }
        let from = shift.start + 15 * Milliseconds.minute
        let slot = (shift.end - 15 * Milliseconds.minute - from) / Int64(sizes.count)
        for (index, rows) in sizes.enumerated() {
          plans.append(
            ReadPlan(
              start: .at(from + Int64(index) * slot + Int64(random.double(0.05...0.95) * Double(slot))),
              principal: victimPrincipal, session: shift.sessionSeed, entity: .contact,
              query: .postalCode(code: random.int(10_000...99_999)), rows: rows, pageSize: 50,
              elapsed: 12...180, attack: 0))
        }
      }
      let label = self.label(
        .lowAndSlow,
        "agent \(principal(victimPrincipal).usernameText) read an extra "
          + "\(Int(factor * 10) / 10).\(Int(factor * 10) % 10)x the agent's normal daily volume "
          + "(\(Int64(normal)) records) on every shift for \(span) days",
        principals: [victimPrincipal], sessions: shifts.map(\.sessionSeed), objects: [.contact])
      return InjectedAttack(label: label, source: attackScript(plans))
    }
    throw .cannotStage(
      scenario: Scenario.lowAndSlow.rawValue, reason: "no agent works most days of any candidate week")
  }
}
