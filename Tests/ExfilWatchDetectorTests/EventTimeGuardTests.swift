import ExfilWatchDetector
import ExfilWatchEvent
import Testing

/// One record with a wrong clock must not move event time for everyone (issue 9): far ahead
/// of the others it is an island, counted and not judged, while a real gap in the logs, which
/// many records follow, moves event time as before.
@Suite struct EventTimeGuardTests {
  let factory = EventFactory()
  static let year = 365 * Duration.day

  /// The normal traffic with a bulk read on its sixth day, which is flagged.
  func trafficWithAttack() -> [AccessEvent] {
    let attack = burst(
      factory, from: SyntheticTraffic.start + 5 * Duration.day + 10 * Duration.hour, count: 100,
      records: 2_000, actor: "agent3@example.com", client: "DataLoaderPartnerUI", ip: "198.51.100.23",
      every: 3 * Duration.second)
    return merged(SyntheticTraffic().events(factory), attack)
  }

  func stamped(_ event: AccessEvent, at time: Int64, line: Int) -> AccessEvent {
    var event = event
    event.time = time
    event.origin = EventOrigin(input: event.origin.input, line: line, offset: 0)
    return event
  }

  @Test(arguments: [Self.year, 30 * Duration.day, 3 * Duration.hour])
  func oneRecordFarAheadChangesNoFinding(ahead: Int64) throws {
    let events = trafficWithAttack()
    let expected = detect(events, symbols: factory.symbols)
    #expect(expected.findings.contains { $0.activity == .create })
    // Just before the attack: without the guard its windows would all be judged at once.
    let attackIndex = try #require(events.firstIndex { $0.eventID?.description.hasPrefix("burst-") == true })
    var withOutlier = events
    withOutlier.insert(stamped(events[attackIndex - 1], at: events[attackIndex - 1].time + ahead, line: 777), at: attackIndex)
    let (findings, statistics) = detect(withOutlier, symbols: factory.symbols)
    #expect(findings == expected.findings)
    #expect(statistics.clockOutliers == 1)
    #expect(statistics.firstClockOutlier?.line == 777)
    #expect(statistics.tooLateEvents == 0)
    #expect(statistics.newestEventTime == expected.statistics.newestEventTime)
  }

  @Test func aWrongFirstRecordDoesNotSetTheStart() {
    let events = trafficWithAttack()
    let expected = detect(events, symbols: factory.symbols)
    let first = stamped(events[0], at: events[0].time + Self.year, line: 1)
    let (findings, statistics) = detect([first] + events, symbols: factory.symbols)
    #expect(findings == expected.findings)
    #expect(statistics.clockOutliers == 1)
    #expect(statistics.firstEventTime == events[0].time)
    #expect(statistics.tooLateEvents == 0)
  }

  /// A record stamped in 1970 at the start is late, not the start of a 55-year warm-up.
  @Test func aFirstRecordFarInThePastIsLateNotTheStart() {
    let events = trafficWithAttack()
    let expected = detect(events, symbols: factory.symbols)
    let first = stamped(events[0], at: 0, line: 1)
    let (findings, statistics) = detect([first] + events, symbols: factory.symbols)
    #expect(findings == expected.findings)
    #expect(statistics.firstEventTime == events[0].time)
    #expect(statistics.tooLateEvents == 1)
    #expect(statistics.clockOutliers == 0)
  }

  /// Three silent days (an outage) and then traffic again: the jump is real, nothing is lost,
  /// and the attack after it is found as without the gap's check.
  @Test func aGapFollowedByTrafficMovesEventTime() {
    let events = trafficWithAttack()
    let gapStart = SyntheticTraffic.start + 2 * Duration.day
    let withGap = events.filter { !(gapStart..<gapStart + 3 * Duration.day).contains($0.time) }
    var unguarded = DetectorConfiguration()
    unguarded.maxTimeJump = 10 * Self.year
    let expected = detect(withGap, symbols: factory.symbols, configuration: unguarded)
    let (findings, statistics) = detect(withGap, symbols: factory.symbols)
    #expect(statistics.clockOutliers == 0)
    #expect(statistics.reads == withGap.count)
    #expect(statistics.tooLateEvents == 0)
    #expect(findings == expected.findings)
    #expect(findings.contains { $0.activity == .create })
  }

  /// Fewer events than the confirmations after a gap, then the input ends: they are judged,
  /// not dropped.
  @Test func eventsPastAGapAtTheEndOfInputAreJudged() {
    let events = SyntheticTraffic(days: 4).events(factory)
    let last = events.last!.time
    let tail = burst(
      factory, from: last + 5 * Duration.hour, count: 5, records: 3, actor: "agent1@example.com",
      client: "Service Console", ip: "203.0.113.10")
    let (_, statistics) = detect(events + tail, symbols: factory.symbols)
    #expect(statistics.clockOutliers == 0)
    #expect(statistics.newestEventTime == tail.last!.time)
    #expect(statistics.reads == events.count + tail.count)
  }

  /// `tail --idle-close`: event time moved on by the wall clock catches up with held events,
  /// which are then judged without waiting for more.
  @Test func eventTimeMovedOnWithoutEventsReleasesHeldOnes() {
    let detector = Detector(symbols: factory.symbols)
    let events = SyntheticTraffic(days: 1).events(factory)
    for event in events { detector.process(event) }
    let later = burst(
      factory, from: events.last!.time + 2 * Duration.hour, count: 3, records: 3, actor: "agent1@example.com",
      client: "Service Console", ip: "203.0.113.10")
    for event in later { detector.process(event) }
    #expect(detector.statistics.newestEventTime == events.last!.time, "held: three are not a confirmed jump")
    detector.advanceWatermark(toEventTime: later[0].time)
    #expect(detector.statistics.newestEventTime == later.last!.time)
    #expect(detector.statistics.reads == events.count + later.count)
  }

  @Test func heldEventsTravelInTheSavedState() throws {
    let events = SyntheticTraffic(days: 1).events(factory)
    let later = burst(
      factory, from: events.last!.time + 2 * Duration.hour, count: 40, records: 3, actor: "agent1@example.com",
      client: "Service Console", ip: "203.0.113.10")
    let uninterrupted = detect(events + later, symbols: factory.symbols)
    let first = Detector(symbols: factory.symbols)
    for event in events + later.prefix(10) { first.process(event) }
    let restored = try Detector(
      configuration: DetectorConfiguration(), symbols: factory.symbols, encodedState: try first.encodedState())
    for event in later.dropFirst(10) { restored.process(event) }
    restored.finish()
    #expect(restored.statistics == uninterrupted.statistics)
  }
}
