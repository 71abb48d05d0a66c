import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchTestSupport
import Testing

/// Properties over traffic made from seeds: a finding's evidence adds up to the events in its
/// window, and the findings do not depend on the order events arrive in within the lateness.
@Suite struct DetectorPropertyTests {
  /// Normal traffic with an app reading through two agents' tokens from a VPN address.
  func traffic(seed: UInt64, factory: EventFactory) -> [AccessEvent] {
    var random = SeededGenerator(seed: seed)
    let normal = SyntheticTraffic(agents: 12, days: 6, seed: seed).events(factory)
    let start = SyntheticTraffic.start + 4 * Duration.day + Int64(random.next() % UInt64(20 * Duration.hour))
    var attack: [AccessEvent] = []
    for index in 0..<120 {
      attack.append(
        factory.read(
          at: start + Int64(index) * 7 * Duration.second + Int64(random.next() % 5000),
          actor: "agent\(index % 2)@example.com", client: "ExportTool", ip: "198.51.100.\(7 + index % 2)",
          object: ["Contact", "Account", "Case", "Lead"][Int(random.next() % 4)],
          records: Int64(500 + random.next() % 1500), id: "attack-\(index)", line: 500_000 + index))
    }
    return merged(normal, attack)
  }

  @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
  func evidenceAddsUpToTheEventsInTheWindow(seed: UInt64) throws {
    let factory = EventFactory()
    let events = traffic(seed: seed, factory: factory)
    let (findings, _) = detect(events, symbols: factory.symbols)
    #expect(!findings.isEmpty)
    for finding in findings {
      let evidence = finding.evidence
      let field: (AccessEvent) -> Symbol = switch evidence.dimension {
      case "actor": { $0.actor }
      case "client": { $0.client }
      default: { $0.sourceIP }
      }
      let inWindow = events.filter { event in
        event.time >= evidence.windowStart && event.time < evidence.windowEnd
          && factory.symbols.string(field(event)) == evidence.key
      }
      #expect(evidence.records == inWindow.reduce(0) { $0 + $1.records })
      #expect(evidence.reads == Int64(inWindow.count))
      #expect(evidence.firstEventTime == inWindow.map(\.time).min())
      #expect(evidence.lastEventTime == inWindow.map(\.time).max())
      for tallies in [evidence.actors, evidence.clients, evidence.sourceIPs, evidence.objects] {
        #expect(tallies.reduce(0) { $0 + $1.records } == evidence.records)
        #expect(tallies.reduce(0) { $0 + $1.reads } == evidence.reads)
      }
      #expect(evidence.recentWindowRecords.last == evidence.records)
      let earliest = inWindow.sorted { ($0.time, $0.eventID?.description ?? "") < ($1.time, $1.eventID?.description ?? "") }
      #expect(evidence.sampleEventIDs == earliest.prefix(3).compactMap { $0.eventID?.description })
    }
  }

  @Test(arguments: [1, 2, 3] as [UInt64])
  func reorderingWithinTheLatenessChangesNothing(seed: UInt64) {
    let factory = EventFactory()
    let events = traffic(seed: seed, factory: factory)
    var random = SeededGenerator(seed: seed &* 31)
    // The same events in a second run whose symbols were numbered in another order (as a file
    // split or another input order numbers them): nothing may depend on the numbers.
    let renumbered = EventFactory()
    var names = (0..<12).map { "agent\($0)@example.com" } + ["198.51.100.7", "198.51.100.8", "ExportTool", "Service Console"]
    names.shuffle(using: &random)
    for name in names { _ = renumbered.symbols.intern(name) }
    let again = traffic(seed: seed, factory: renumbered)
    // Shuffle the events of each minute: every event stays within a minute of its place,
    // well inside the allowed lateness.
    let shuffled = Dictionary(grouping: events) { $0.time / Duration.minute }
      .sorted { $0.key < $1.key }
      .flatMap { $0.value.shuffled(using: &random) }
    #expect(shuffled != events)
    let inOrder = detect(events, symbols: factory.symbols)
    let reordered = detect(shuffled, symbols: factory.symbols)
    #expect(!inOrder.findings.isEmpty)
    #expect(inOrder.findings == reordered.findings)
    #expect(reordered.statistics.lateEvents == 0)
    #expect(detect(again, symbols: renumbered.symbols).findings == inOrder.findings)
  }
}
