import ExfilWatchSimulator
import Testing

@Suite("every scenario parses cleanly, and labels.json names exactly the injected attack")
struct AttackLabelTests {
  @Test(
    "zero rejects, and the label equals the parsed events the attack added",
    arguments: Scenario.allCases, SimulationFormat.allCases)
  func labelMatchesParsedAttack(scenario: Scenario, format: SimulationFormat) throws {
    let options = smallOptions(scenario, format: format)
    let simulation = try WrittenSimulation(options)
    let parsed = try simulation.parse()
    #expect(parsed.rejects == 0)
    #expect(parsed.events.count == simulation.report.events)
    #expect(parsed.decodedBytes == simulation.report.decompressedBytes)
    guard scenario != .baseline else {
      #expect(simulation.labels.attacks.isEmpty)
      return
    }
    #expect(simulation.labels.attacks.count == 1)
    let label = try #require(simulation.labels.attacks.first)
    #expect(label.kind == scenario)

    // The normal traffic is baseline's, event for event; what is left is the attack.
    let baseline = try BaselineCache.shared.parsedBaseline(like: options)
    let normalIDs = Set(baseline.events.map(\.eventID))
    let injected = parsed.events.filter { !normalIDs.contains($0.eventID) }
    #expect(parsed.events.count - injected.count == baseline.events.count)
    #expect(injected.count == label.events)
    #expect(injected.reduce(0) { $0 + $1.records } == label.records)
    #expect(injected.first?.time == label.firstEventTime)
    #expect(injected.last?.time == label.lastEventTime)
    for event in injected {
      #expect(label.actorIDs.contains(event.actorID ?? "-"))
      #expect(event.client == label.client)
      #expect(label.sourceIPs.contains(event.sourceIP ?? "-"))
      #expect(label.sessions.contains(event.session ?? "-"))
      #expect(label.objects.contains(event.object ?? "-"))
      // ELF's API file has no user name column.
      #expect(format == .salesforceELF ? event.actor == nil : label.actors.contains(event.actor ?? "-"))
    }
  }

  @Test(
    "an attack through its own client is found by its keys alone",
    arguments: [Scenario.connectedAppExfil, .spreadThin], SimulationFormat.allCases)
  func keysAloneFindTheAttack(scenario: Scenario, format: SimulationFormat) throws {
    let simulation = try WrittenSimulation(smallOptions(scenario, format: format))
    let label = try #require(simulation.labels.attacks.first)
    let events = try simulation.parse().events
    let matching = events.filter { event in
      event.client == label.client && label.actorIDs.contains(event.actorID ?? "-")
        && label.sourceIPs.contains(event.sourceIP ?? "-")
    }
    #expect(matching.reduce(0) { $0 + $1.records } == label.records)
    #expect(matching.first?.time == label.firstEventTime)
    #expect(matching.last?.time == label.lastEventTime)
    // Nobody else uses the attacker's client.
    let clientEvents = events.filter { $0.client == label.client }
    #expect(clientEvents.count == matching.count)
  }

  @Test("connected-app-exfil: counts, a 200-row test, then every Contact, Account and Case")
  func connectedAppShape() throws {
    let simulation = try WrittenSimulation(smallOptions(.connectedAppExfil))
    let label = try #require(simulation.labels.attacks.first)
    let attack = try simulation.parse().events.filter { $0.client == label.client }
    #expect(label.client.hasPrefix("0H4") && label.client.count == 18)
    #expect(label.sourceIPs.count == 1 && label.sourceIPs[0].hasPrefix("198.51.100."))
    #expect(label.objects == ["Contact", "Account", "Case"])
    #expect(attack.prefix(3).map(\.records) == [1, 1, 1])
    #expect(attack.dropFirst(3).first?.records == 200)
    // About 2,000 rows per agent of org size, in 2000-row pages.
    #expect(label.records > 30 * 1300 && label.records < 30 * 2400)
    #expect(attack.dropFirst(4).allSatisfy { $0.records <= 2000 })
    let hours = Double(label.lastEventTime! - label.firstEventTime!) / 3_600_000
    #expect(hours > 0.2 && hours < 6)
  }

  @Test("compromised-agent: about 50 times the victim's normal daily volume, within hours")
  func compromisedAgentVolume() throws {
    let options = smallOptions(.compromisedAgent)
    let label = try #require(try WrittenSimulation(options).labels.attacks.first)
    let baseline = try BaselineCache.shared.parsedBaseline(like: options)
    // One console session per shift.
    let victim = baseline.events.filter { $0.actorID == label.actorIDs[0] }
    let shifts = Set(victim.map(\.session)).count
    let normalDaily = Double(victim.reduce(0) { $0 + $1.records }) / Double(shifts)
    let ratio = Double(label.records) / normalDaily
    #expect(ratio > 30 && ratio < 80, "\(label.records) records vs \(normalDaily) a day")
    let hours = Double(label.lastEventTime! - label.firstEventTime!) / 3_600_000
    #expect(hours > 1 && hours < 5)
    #expect(label.client == "vendor/cti_console")
  }

  @Test("low-and-slow: an extra 2-3x the victim's volume on every shift of the week")
  func lowAndSlowVolume() throws {
    let options = smallOptions(.lowAndSlow, days: 9)
    let simulation = try WrittenSimulation(options)
    let label = try #require(simulation.labels.attacks.first)
    let baseline = try BaselineCache.shared.parsedBaseline(like: options)
    let normalIDs = Set(baseline.events.map(\.eventID))
    let attack = try simulation.parse().events.filter { !normalIDs.contains($0.eventID) }
    let victim = baseline.events.filter { $0.actorID == label.actorIDs[0] }
    let normalShift = Double(victim.reduce(0) { $0 + $1.records }) / Double(Set(victim.map(\.session)).count)
    let attackShifts = Dictionary(grouping: attack) { $0.session ?? "" }
    #expect(attackShifts.count >= 4 && attackShifts.count <= 7)
    #expect(Set(label.sessions) == Set(attackShifts.keys))
    for (session, events) in attackShifts {
      let extra = Double(events.reduce(0) { $0 + $1.records }) / normalShift
      #expect(extra > 1.5 && extra < 4, "shift \(session): \(extra)x")
    }
    // Queries the size of an agent's own.
    #expect(attack.allSatisfy { $0.records >= 1 && $0.records <= 50 })
  }

  @Test("spread-thin: one app, several actors each under 5,000 records, three addresses")
  func spreadThinShape() throws {
    let simulation = try WrittenSimulation(smallOptions(.spreadThin))
    let label = try #require(simulation.labels.attacks.first)
    let attack = try simulation.parse().events.filter { $0.client == label.client }
    let perActor = Dictionary(grouping: attack, by: { $0.actorID ?? "" }).mapValues { $0.reduce(0) { $0 + $1.records } }
    #expect(perActor.count == 4)
    #expect(label.actorIDs.count == 4)
    #expect(perActor.values.allSatisfy { $0 >= 3_500 && $0 < 5_000 })
    #expect(label.sourceIPs.count == 3)
  }
}
