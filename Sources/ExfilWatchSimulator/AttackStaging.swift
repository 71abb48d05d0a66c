/// An attack ready to run: its records' source and its label (whose counts are filled in as
/// the records are written).
struct InjectedAttack {
  var label: AttackLabel
  var source: any ActivitySource
}

extension Organisation {
  /// The attack of `options.scenario`, staged into this org: victims picked, attacker
  /// principals added, reads planned. Draws from its own random streams only, so the normal
  /// traffic stays byte for byte what `baseline` writes.
  func stageAttacks() throws(SimulationError) -> [InjectedAttack] {
    var random = SimulationRandom(seed: options.seed, stream: .attackPlan)
    switch options.scenario {
    case .baseline: return []
    case .connectedAppExfil: return [try stageConnectedAppExfil(random: &random)]
    case .compromisedAgent: return [try stageCompromisedAgent(random: &random)]
    case .lowAndSlow: return [try stageLowAndSlow(random: &random)]
    case .spreadThin: return [try stageSpreadThin(random: &random)]
    }
  }

  /// The attack's reads, played with the attack's own random stream.
  func attackScript(_ plans: [ReadPlan]) -> ScriptedReads {
    ScriptedReads(random: SimulationRandom(seed: options.seed, stream: .attackRun(0)), plans: plans)
  }

  /// The agents on shift on local date `day` whose whole shift is inside the window.
  func agentsOnShift(day: Int, minimumHours: Int64 = 7) -> [(agent: Int, shift: Shift)] {
    agents.indices.compactMap { index in
      guard let shift = shift(agent: index, localDay: day), shift.start >= windowStart,
        shift.end <= windowEnd, shift.end - shift.start >= minimumHours * Milliseconds.hour
      else { return nil }
      return (index, shift)
    }
  }

  /// Agents ordered from the quietest to the busiest (by their habits), so a victim can be
  /// picked from a band: an attack measured against an agent's volume should not hinge on the
  /// one agent who barely works.
  func agentsByVolume() -> [Int] {
    agents.indices.sorted {
      (agents[$0].typicalDailyRecords, $0) < (agents[$1].typicalDailyRecords, $1)
    }
  }

  /// The agent's normal volume: mean records a worked day before local date `day` (the days
  /// it actually worked, replayed), else on a typical day.
  func normalDailyRecords(agent: Int, before day: Int) -> Double {
    let first = localDaysOfWindow.lowerBound
    guard day - 1 >= first else { return agents[agent].typicalDailyRecords }
    let history = AgentActivity.dailyRecords(organisation: self, agent: agent, days: first...day - 1)
    guard !history.isEmpty else { return agents[agent].typicalDailyRecords }
    return Double(history.reduce(0, +)) / Double(history.count)
  }

  /// Attack days to try, the chosen one first.
  func candidateDays(span: Int, random: inout SimulationRandom) -> [Int] {
    var days = calendar.attackDays(span: span)
    let first = random.int(0...days.count - 1)
    days.swapAt(0, first)
    return days
  }

  /// A fresh VPN exit address (198.51.100.0/24 is documentation space).
  static func vpnAddress(random: inout SimulationRandom, avoiding taken: [String] = []) -> String {
    while true {
      let address = "198.51.100.\(random.int(2...254))"
      if !taken.contains(address) { return address }
    }
  }

  func sessionKeyText(_ seed: UInt64) -> String {
    String(decoding: SessionKeys(seed: seed).sessionKey, as: UTF8.self)
  }

  /// The label's identity part for principals `indices`.
  func label(
    _ kind: Scenario, _ description: String, principals indices: [Int32], sessions: [UInt64],
    objects: [Entity]
  ) -> AttackLabel {
    let people = indices.map { principal($0) }
    func unique(_ values: [String]) -> [String] {
      var seen: Set<String> = []
      return values.filter { seen.insert($0).inserted }
    }
    return AttackLabel(
      kind: kind, description: description, actors: unique(people.map(\.usernameText)),
      actorIDs: unique(people.map(\.userIDText)),
      client: people[0].client.parsedClient(in: options.format),
      sourceIPs: unique(people.map(\.sourceIPText)), sessions: sessions.map(sessionKeyText),
      objects: unique(objects.map(\.nameText)))
  }
}
