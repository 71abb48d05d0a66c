extension Organisation {
  /// `connected-app-exfil`: the 2025 campaign as SampleLogs shows it. "IT support" phones an
  /// agent on shift, who authorises a look-alike Data Loader (a ConnectedAppId never seen in
  /// the org). 10-40 minutes later the attacker, on the agent's token, from a VPN address
  /// with `python-requests`, runs three `SELECT COUNT()` probes, a 200-row test, then reads
  /// every Contact, Account and Case in 2000-row Query/QueryMore pages, 17-25 s apart: about
  /// 2,000 rows per agent of org size, a few hours at 500 agents.
  ///
  /// A detector sees a brand-new client and a brand-new address each reading hundreds of
  /// thousands of records within the hour, and the agent's actor key reading hundreds of
  /// times its 24-hour norm.
  func stageConnectedAppExfil(random: inout SimulationRandom) throws(SimulationError) -> InjectedAttack {
    for day in candidateDays(span: 1, random: &random) {
      let onShift = agentsOnShift(day: day)
      guard !onShift.isEmpty else { continue }
      let (victim, shift) = onShift[random.int(0...onShift.count - 1)]
      let vished = min(shift.end - 30 * Milliseconds.minute, shift.start + random.int64(60...240) * Milliseconds.minute)
      let begin = vished + random.int64(10...40) * Milliseconds.minute + random.int64(0...59_999)

      let agent = principal(agents[victim].principal)
      let appID = newID(prefix: "0H4", random: &random)
      let attacker = addPrincipal(
        Principal(
          username: agent.usernameText, userID: agent.userID,
          sourceIP: Self.vpnAddress(random: &random), client: .dataLoader(appID: appID)))
      let session = random.next() | 1
      let sizes: [(Entity, Int64)] = [
        (.contact, Int64(options.agents) * random.int64(800...1400)),
        (.account, Int64(options.agents) * random.int64(250...450)),
        (.supportCase, Int64(options.agents) * random.int64(250...500)),
      ]

      var plans: [ReadPlan] = []
      func plan(
        _ start: ReadPlan.Start, _ entity: Entity, _ query: QueryText, rows: Int64, total: Int64? = nil
      ) {
        plans.append(
          ReadPlan(
            start: start, principal: attacker, session: session, entity: entity, query: query,
            rows: rows, totalSize: total, pageGap: 17_000...25_000, elapsed: 120...1500, attack: 0))
      }
      // "How much is there?"
      for (order, (entity, size)) in sizes.enumerated() {
        let start: ReadPlan.Start = order == 0 ? .at(begin) : .afterPrevious(15_000...40_000)
        plan(start, entity, .count(entity), rows: 1, total: size)
      }
      // A small test extraction, then the real thing.
      plan(.afterPrevious(120_000...160_000), .contact, .fullExport(.contact, limit: 200), rows: 200)
      for (order, (entity, size)) in sizes.enumerated() {
        let pause: ClosedRange<Int64> = order == 0 ? 480_000...540_000 : 90_000...200_000
        plan(.afterPrevious(pause), entity, .fullExport(entity, limit: nil), rows: size)
      }

      let label = self.label(
        .connectedAppExfil,
        "agent \(agent.usernameText) authorised a look-alike Data Loader connected app; it read "
          + "every Contact, Account and Case from a VPN address",
        principals: [attacker], sessions: [session], objects: sizes.map(\.0))
      return InjectedAttack(label: label, source: attackScript(plans))
    }
    throw .cannotStage(
      scenario: Scenario.connectedAppExfil.rawValue, reason: "no agent is on shift on any candidate day")
  }
}
