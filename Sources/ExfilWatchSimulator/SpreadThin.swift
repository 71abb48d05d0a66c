extension Organisation {
  /// Records each stolen token reads at most: under a per-actor floor of 5,000 records.
  static let spreadThinPerActorLimit: Int64 = 4_900

  /// `spread-thin`: one "reporting connector" app (a ConnectedAppId never seen before) holds
  /// OAuth tokens of several agents (4 to 20: one per 25 agents) and reads through them one
  /// after another, 15-30 minutes apart, from three VPN addresses: each token 3,500-4,900
  /// records of Contact, Case or Account in 2000-row pages. No actor key crosses a 5,000
  /// record floor.
  ///
  /// A detector sees it on the client key (a new app reading about 4,200 records per token:
  /// some 85,000 over 7-8 hours at 500 agents, 8,000-17,000 in any hour) and on the source-IP
  /// keys (new addresses, each reading for a third of the tokens: about 28,000 over the day).
  func stageSpreadThin(random: inout SimulationRandom) throws(SimulationError) -> InjectedAttack {
    let day = candidateDays(span: 1, random: &random)[0]
    let tokens = min(20, max(4, options.agents / 25))
    var chosen: [Int] = []
    while chosen.count < tokens {
      let agent = random.int(0...agents.count - 1)
      if !chosen.contains(agent) { chosen.append(agent) }
    }
    let appID = newID(prefix: "0H4", random: &random)
    var addresses: [String] = []
    for _ in 0..<3 { addresses.append(Self.vpnAddress(random: &random, avoiding: addresses)) }
    let client = ClientProfile.reportingConnector(appID: appID)
    let entities: [Entity] = [.contact, .supportCase, .account]

    var clock = Int64(day) * Milliseconds.day + random.int64(1...14) * Milliseconds.hour + random.int64(0...3_599_999)
    var principals: [Int32] = []
    var sessions: [UInt64] = []
    var plans: [ReadPlan] = []
    for (order, victim) in chosen.enumerated() {
      let agent = principal(agents[victim].principal)
      let thief = addPrincipal(
        Principal(
          username: agent.usernameText, userID: agent.userID, sourceIP: addresses[order % addresses.count],
          client: client))
      let session = random.next() | 1
      let entity = entities[order % entities.count]
      let rows = random.int64(3_500...Self.spreadThinPerActorLimit)
      principals.append(thief)
      sessions.append(session)
      plans.append(
        ReadPlan(
          start: .at(clock), principal: thief, session: session, entity: entity,
          query: .fullExport(entity, limit: Int(rows)), rows: rows, pageGap: 20_000...40_000,
          elapsed: 300...1500, attack: 0))
      clock += random.int64(15...30) * Milliseconds.minute + random.int64(0...59_999)
    }
    let label = self.label(
      .spreadThin,
      "one new connected app read through \(tokens) agents' OAuth tokens, each under 5,000 "
        + "records, from \(addresses.count) VPN addresses",
      principals: principals, sessions: sessions, objects: plans.map(\.entity))
    return InjectedAttack(label: label, source: attackScript(plans))
  }
}
