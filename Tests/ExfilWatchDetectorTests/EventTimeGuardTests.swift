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

  /// `count` small reads by one agent through the console, ten seconds apart.
  func agentReads(from start: Int64, count: Int) -> [AccessEvent] {
    burst(factory, from: start, count: count, records: 3, actor: "agent1@example.com", client: "Service Console", ip: "203.0.113.10")
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
    let tail = agentReads(from: last + 5 * Duration.hour, count: 5)
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
    let later = agentReads(from: events.last!.time + 2 * Duration.hour, count: 3)
    for event in later { detector.process(event) }
    #expect(detector.statistics.newestEventTime == events.last!.time, "held: three are not a confirmed jump")
    detector.advanceWatermark(toEventTime: later[0].time)
    #expect(detector.statistics.newestEventTime == later.last!.time)
    #expect(detector.statistics.reads == events.count + later.count)
  }

  @Test func heldEventsTravelInTheSavedState() throws {
    let events = SyntheticTraffic(days: 1).events(factory)
    let later = agentReads(from: events.last!.time + 2 * Duration.hour, count: 40)
    let uninterrupted = detect(events + later, symbols: factory.symbols)
    let first = Detector(symbols: factory.symbols)
    for event in events + later.prefix(10) { first.process(event) }
    let restored = try Detector(
      configuration: DetectorConfiguration(), symbols: factory.symbols, encodedState: try first.encodedState())
    for event in later.dropFirst(10) { restored.process(event) }
    restored.finish()
    #expect(restored.statistics == uninterrupted.statistics)
  }

  /// Forty records stamped a year apart each do not confirm one another: a jump is real only
  /// when the events past the bound agree among themselves.
  @Test func scatteredWrongClocksDoNotConfirmEachOther() throws {
    let events = trafficWithAttack()
    let expected = detect(events, symbols: factory.symbols)
    let attackIndex = try #require(events.firstIndex { $0.eventID?.description.hasPrefix("burst-") == true })
    let base = events[attackIndex - 1]
    let scattered = (1...40).map { stamped(base, at: base.time + Int64($0) * Self.year, line: 5_000 + $0) }
    var withOutliers = events
    withOutliers.insert(contentsOf: scattered, at: attackIndex)
    let (findings, statistics) = detect(withOutliers, symbols: factory.symbols)
    #expect(findings == expected.findings)
    #expect(statistics.clockOutliers == 40)
    #expect(statistics.tooLateEvents == 0)
  }

  /// After a real gap, a straggler older than the newest event arrives among the first events
  /// past it: it is late, and says nothing against the jump.
  @Test func aLateStragglerDoesNotUndoARealGap() {
    let events = SyntheticTraffic(days: 2).events(factory)
    let last = events.last!.time
    let after = agentReads(from: last + 3 * Duration.hour, count: 40)
    let straggler = stamped(events[events.count - 2], at: last - Duration.minute, line: 9_999)
    let (_, statistics) = detect(events + after.prefix(5) + [straggler] + after.dropFirst(5), symbols: factory.symbols)
    #expect(statistics.clockOutliers == 0)
    #expect(statistics.reads == events.count + after.count + 1)
    #expect(statistics.newestEventTime == after.last!.time)
  }

  /// A gap among the very first events (a quiet evening in the first hours of a run): the
  /// events after it are not taken for wrong clocks, and the earliest still start the run.
  @Test func aGapAmongTheFirstEventsLosesNothing() {
    let morning = burst(
      factory, from: SyntheticTraffic.start + 8 * Duration.hour, count: 20, records: 2, actor: "agent1@example.com",
      client: "Service Console", ip: "203.0.113.10", every: Duration.minute)
    let evening = burst(
      factory, from: SyntheticTraffic.start + 22 * Duration.hour, count: 60, records: 2, actor: "agent2@example.com",
      client: "Service Console", ip: "203.0.113.10", every: Duration.minute)
    let (_, statistics) = detect(morning + evening, symbols: factory.symbols)
    #expect(statistics.clockOutliers == 0)
    #expect(statistics.reads == 80)
    #expect(statistics.tooLateEvents == 0)
    #expect(statistics.firstEventTime == morning[0].time)
  }

  @Test func ofTwoFirstEventsTheEarlierStartsTheRun() {
    let real = factory.read(at: SyntheticTraffic.start, actor: "agent1@example.com", records: 1)
    let future = stamped(real, at: real.time + Self.year, line: 2)
    let (_, statistics) = detect([real, future], symbols: factory.symbols)
    #expect(statistics.firstEventTime == real.time)
    #expect(statistics.tooLateEvents == 0)
  }

  /// `tail` on a source that starts empty: event time moved on before any event must not keep
  /// the first few events waiting for ever, and held events are judged before event time
  /// passes them, not after (when they would be late).
  @Test func eventTimeMovedOnBeforeAndAfterFewEvents() {
    let detector = Detector(symbols: factory.symbols)
    detector.advanceWatermark(toEventTime: SyntheticTraffic.start)
    let first = agentReads(from: SyntheticTraffic.start + Duration.minute, count: 5)
    for event in first { detector.process(event) }
    detector.advanceWatermark(toEventTime: first.last!.time + 10 * Duration.minute)
    #expect(detector.statistics.firstEventTime == first[0].time)
    #expect(detector.statistics.windowsJudged > 0)
    let afterGap = agentReads(from: first.last!.time + 3 * Duration.hour, count: 5)
    for event in afterGap { detector.process(event) }
    detector.advanceWatermark(toEventTime: afterGap.last!.time + 10 * Duration.minute)
    #expect(detector.statistics.reads == 10)
    #expect(detector.statistics.tooLateEvents == 0)
    #expect(detector.statistics.lateEvents == 0)
    #expect(detector.statistics.clockOutliers == 0)
  }
}
