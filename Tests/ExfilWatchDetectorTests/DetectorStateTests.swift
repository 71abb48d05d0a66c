import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchTestSupport
import Foundation
import PropertyBased
import Testing

/// A detector saved to bytes and restored (with its symbol table, as `exfilwatch scan` does
/// between cron runs) must find exactly what one uninterrupted detector finds.
/// See: issue 5 (durable cron scans).
@Suite struct DetectorStateTests {
  /// Normal traffic over six days with an app bulk-reading through two agents' tokens.
  static func scenario(seed: UInt64) -> (factory: EventFactory, events: [AccessEvent]) {
    let factory = EventFactory()
    return (factory, DetectorPropertyTests().traffic(seed: seed, factory: factory))
  }

  /// Split right after the warm-up, inside the attack, while its incident is open and after
  /// it closed (a short quiet period closes it before the input ends).
  @Test func restoredDetectorFindsWhatAnUninterruptedOneFinds() throws {
    var configuration = DetectorConfiguration()
    configuration.quietPeriod = 2 * Duration.hour
    let (factory, events) = Self.scenario(seed: 1)
    let uninterrupted = detect(events, symbols: factory.symbols, configuration: configuration)
    #expect(uninterrupted.findings.contains { $0.activity == .create })
    let closed = try #require(uninterrupted.findings.first { $0.activity == .close })
    let warmUpEnd = events[0].time + configuration.warmUp
    let attack = events.indices.filter { events[$0].eventID?.description.hasPrefix("attack-") == true }
    let firstFinding = try #require(Self.indexOfFirstFinding(events, symbols: factory.symbols, configuration: configuration))
    let splits = [
      0, 1, try #require(events.firstIndex { $0.time >= warmUpEnd }),
      attack[0], attack[attack.count / 2], firstFinding + 1, attack[attack.count - 1] + 1,
      try #require(events.firstIndex { $0.time > closed.time }), events.count - 1, events.count,
    ]
    let whole = try Self.detectResuming(events, at: [], symbols: factory.symbols, configuration: configuration)
    #expect(whole.findings == uninterrupted.findings)
    for split in splits {
      let resumed = try Self.detectResuming(events, at: [split], symbols: factory.symbols, configuration: configuration)
      try Self.expect(resumed, equals: whole, "split at \(split) of \(events.count)")
    }
    // Saved right after the event that raised the first finding, before it was taken: the
    // finding travels in the state and the restored detector hands it out.
    let carried = try Self.detectResuming(events, at: [firstFinding + 1], symbols: factory.symbols, configuration: configuration)
    #expect(carried.pendingAtRestore == [true])
  }

  @Test func restoringManyTimesOverAReplayChangesNothing() async throws {
    let scenarios = try (1...3 as ClosedRange<UInt64>).map { seed in
      let (factory, events) = Self.scenario(seed: seed)
      let whole = try Self.detectResuming(events, at: [], symbols: factory.symbols)
      #expect(!whole.findings.isEmpty)
      #expect(whole.findings == detect(events, symbols: factory.symbols).findings)
      return (factory, events, whole)
    }
    // A split the property check once drew: a key parked at the split took another place in
    // the restored run's active list, which was saved in the order it had.
    let (factory, events, whole) = scenarios[0]
    try Self.expect(try Self.detectResuming(events, at: [3008], symbols: factory.symbols), equals: whole, "split 3008")
    await propertyCheck(
      count: 30, input: Gen.int(in: 0...2), Gen.int(in: 0...10_000).array(of: 1...4)
    ) { scenario, fractions in
      let (factory, events, whole) = scenarios[scenario]
      let splits = fractions.map { events.count * $0 / 10_000 }.sorted()
      let resumed = try Self.detectResuming(events, at: splits, symbols: factory.symbols)
      try Self.expect(resumed, equals: whole, "splits \(splits) of \(events.count)")
    }
  }

  /// Two never-seen users reading in bulk through a never-seen app from a never-seen address
  /// at 08:20: the app's and the address's windows are judged against their peers as summarised
  /// at 08:00, before the agents' first windows of the day taught their baselines
  /// yesterday's peaks; the run is restored at 08:10, between the two. The restored detector
  /// must not summarise the peers again before 09:00, as the uninterrupted one does not.
  @Test func aNewAppJudgedAgainstPeersRightAfterARestore() throws {
    let factory = EventFactory()
    let day = SyntheticTraffic.start + 5 * Duration.day
    let attack = ["intruder1@example.com", "intruder2@example.com"].enumerated().flatMap { index, actor in
      burst(
        factory, from: day + 8 * Duration.hour + 20 * Duration.minute + Int64(index) * Duration.second, count: 50,
        records: 2_000, actor: actor, client: "DataLoaderPartnerUI", ip: "198.51.100.23", every: 6 * Duration.second)
    }
    let events = merged(SyntheticTraffic().events(factory), attack)
    let uninterrupted = detect(events, symbols: factory.symbols)
    #expect(uninterrupted.findings.contains { $0.evidence.judgedAgainstPeers })
    let split = try #require(events.firstIndex { $0.time >= day + 8 * Duration.hour + 10 * Duration.minute })
    let whole = try Self.detectResuming(events, at: [], symbols: factory.symbols)
    #expect(whole.findings == uninterrupted.findings)
    try Self.expect(Self.detectResuming(events, at: [split], symbols: factory.symbols), equals: whole, "split at 08:10")
  }

  /// A flood of one-off addresses beside the attack, under a key cap that forgets three keys
  /// at a time: after the restores the freed slots are reused in the same order.
  /// The scenario with a scanner reading from 600 addresses, each a key of its own: more keys
  /// than `evictingConfiguration` tracks.
  static func scenarioWithKeyFlood(seed: UInt64) -> (factory: EventFactory, events: [AccessEvent]) {
    let (factory, normal) = scenario(seed: seed)
    let flood = (0..<600).map { index in
      factory.read(
        at: SyntheticTraffic.start + Int64(index) * 10 * Duration.minute, actor: "scanner@example.com",
        ip: "198.18.\(index / 250).\(index % 250)", records: 1)
    }
    return (factory, merged(normal, flood))
  }

  static var evictingConfiguration: DetectorConfiguration {
    var configuration = DetectorConfiguration()
    configuration.maxTrackedKeys = 300
    return configuration
  }

  @Test func evictedKeysAndTheirFreeSlotsAreRestored() throws {
    let configuration = Self.evictingConfiguration
    let (factory, events) = Self.scenarioWithKeyFlood(seed: 2)
    let uninterrupted = detect(events, symbols: factory.symbols, configuration: configuration)
    #expect(uninterrupted.statistics.evictedKeys > 0)
    #expect(uninterrupted.findings.contains { $0.activity == .create })
    let whole = try Self.detectResuming(events, at: [], symbols: factory.symbols, configuration: configuration)
    #expect(whole.findings == uninterrupted.findings)
    let splits = (1..<12).map { events.count * $0 / 12 }
    try Self.expect(
      Self.detectResuming(events, at: splits, symbols: factory.symbols, configuration: configuration), equals: whole,
      "splits \(splits)")
  }

  /// The check above depends on the symbol table coming back with the same numbers: restored
  /// with the same strings numbered in another order, the detector finds something else.
  @Test func aRenumberedSymbolTableIsNoticed() throws {
    let (factory, events) = Self.scenario(seed: 1)
    let uninterrupted = detect(events, symbols: factory.symbols)
    let split = try #require(events.firstIndex { $0.eventID?.description.hasPrefix("attack-") == true })
    let table = SymbolTable()
    let detector = Detector(symbols: table)
    for event in events[..<split] { detector.process(Self.reinterned(event, from: factory.symbols, into: table)) }
    let renumbered = SymbolTable()
    for raw in (1...UInt32(table.count)).reversed() { _ = renumbered.intern(table.string(Symbol(rawValue: raw))!) }
    let restored = try Detector(configuration: detector.configuration, symbols: renumbered, encodedState: detector.encodedState())
    var findings = restored.takeFindings()
    for event in events[split...] {
      restored.process(Self.reinterned(event, from: factory.symbols, into: renumbered))
      findings += restored.takeFindings()
    }
    restored.finish()
    findings += restored.takeFindings()
    #expect(findings != uninterrupted.findings)
  }

  @Test func symbolTableKeepsEveryNumberAndContinuesAfterThem() throws {
    let table = SymbolTable()
    let strings = ["agent1@example.com", "Service Console", "203.0.113.10", "Contact", "é☃", String(repeating: "x", count: 300)]
    let symbols = strings.map(table.intern)
    let restored = try SymbolTable(encodedStrings: table.encodedStrings())
    #expect(restored.count == table.count)
    #expect(symbols.map { restored.string($0) } == strings)
    #expect(strings.map(restored.intern) == symbols, "known strings keep their numbers")
    #expect(restored.intern("new") == table.intern("new"), "new strings are numbered as in one long run")
    let empty = try SymbolTable(encodedStrings: SymbolTable().encodedStrings())
    #expect(empty.count == 0)
  }

  @Test("a state naming a symbol its table freed is refused, not restored to name another value")
  func stateNamingAFreedSymbolIsRefused() throws {
    let (factory, events) = Self.scenario(seed: 5)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(2_000) { detector.process(event) }
    let state = try detector.encodedState()
    let table = try SymbolTable(encodedStrings: factory.symbols.encodedStrings())
    #expect(throws: Never.self) { try Detector(configuration: detector.configuration, symbols: table, encodedState: state) }
    table.sweep(keeping: SymbolMarks(symbolCount: table.count))
    let error = #expect(throws: DetectorStateError.self) {
      try Detector(configuration: detector.configuration, symbols: table, encodedState: state)
    }
    #expect("\(error!)".contains("names symbols the saved symbol table does not hold"))
  }

  @Test func damagedSymbolTableIsAnError() throws {
    let table = SymbolTable()
    for name in ["agent1@example.com", "Service Console", "203.0.113.10"] { _ = table.intern(name) }
    let bytes = table.encodedStrings()
    for length in [0, 3, 13, 14, bytes.count / 2, bytes.count - 1] {
      #expect(throws: SymbolTableDecodingError.self, "cut to \(length)") {
        try SymbolTable(encodedStrings: Array(bytes.prefix(length)))
      }
    }
    for position in bytes.indices {
      var damaged = bytes
      damaged[position] ^= 0x20
      #expect(throws: SymbolTableDecodingError.self, "byte \(position) altered") {
        try SymbolTable(encodedStrings: damaged)
      }
    }
    #expect(throws: SymbolTableDecodingError.notSymbolTable) {
      try SymbolTable(encodedStrings: Detector(symbols: table).encodedState())
    }
    // Well-formed, with a right checksum, but naming one string twice: the second copy would
    // get the first one's number, and every later symbol the wrong one.
    func forged(_ strings: [String], whole: [(number: UInt8, text: String)] = []) -> [UInt8] {
      var body: [UInt8] = [UInt8(strings.count), 0, 0, 0]
      for string in strings { body += [UInt8(string.utf8.count), 0, 0, 0] + Array(string.utf8) }
      body += [UInt8(whole.count), 0, 0, 0]
      for (number, text) in whole { body += [number, 0, 0, 0, UInt8(text.utf8.count), 0, 0, 0] + Array(text.utf8) }
      var forged = Array(bytes[..<6])
      withUnsafeBytes(of: body.withUnsafeBytes(ByteChecksum.of).littleEndian) { forged += $0 }
      return forged + body
    }
    #expect(try SymbolTable(encodedStrings: forged(["a", "b"])).string(Symbol(rawValue: 2)) == "b")
    #expect(throws: SymbolTableDecodingError.self) { try SymbolTable(encodedStrings: forged(["a", "a"])) }
    // An empty string is a number a sweep freed; a whole text must name a symbol in use.
    #expect(try SymbolTable(encodedStrings: forged(["a", ""])).liveCount == 1)
    #expect(try SymbolTable(encodedStrings: forged(["a", "b"], whole: [(2, "bb")])).string(Symbol(rawValue: 2)) == "bb")
    #expect(throws: SymbolTableDecodingError.self) { try SymbolTable(encodedStrings: forged(["a", ""], whole: [(2, "x")])) }
    #expect(throws: SymbolTableDecodingError.self) { try SymbolTable(encodedStrings: forged(["a"], whole: [(2, "x")])) }
  }

  @Test func anotherConfigurationIsRefusedWithWhatDiffers() throws {
    let (factory, events) = Self.scenario(seed: 3)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(500) { detector.process(event) }
    let state = try detector.encodedState()
    var fewerHorizons = DetectorConfiguration()
    fewerHorizons.horizons.removeLast()
    var longerWarmUp = DetectorConfiguration()
    longerWarmUp.warmUp += Duration.day
    var stricter = DetectorConfiguration()
    stricter.horizons[0].thresholds.score += 1
    for (configuration, named) in [(fewerHorizons, "horizons"), (longerWarmUp, "warm-up"), (stricter, "horizon 5m")] {
      #expect(configuration != detector.configuration)
      let error = #expect(throws: DetectorStateError.self) {
        try Detector(configuration: configuration, symbols: factory.symbols, encodedState: state)
      }
      guard case .configurationMismatch(let differences) = error else {
        Issue.record("\(String(describing: error)) is not a configuration mismatch")
        continue
      }
      #expect(differences.count == 1 && differences[0].hasPrefix(named), "\(differences)")
      #expect(error?.description.contains("another detector configuration") == true)
    }
    _ = try Detector(configuration: DetectorConfiguration(), symbols: factory.symbols, encodedState: state)
  }

  @Test func damagedStateIsAnErrorNotACrash() throws {
    let (factory, events) = Self.scenario(seed: 1)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(events.count / 2) { detector.process(event) }
    let state = try detector.encodedState()
    func restore(_ bytes: [UInt8]) throws(DetectorStateError) {
      _ = try Detector(configuration: detector.configuration, symbols: factory.symbols, encodedState: bytes)
    }
    try restore(state)
    for length in [0, 3, 13] {
      #expect(throws: DetectorStateError.notDetectorState) { try restore(Array(state.prefix(length))) }
    }
    var random = SeededGenerator(seed: 7)
    let cuts = [14, 15, state.count / 2, state.count - 1] + (0..<20).map { _ in 14 + Int(random.next() % UInt64(state.count - 14)) }
    for length in cuts {
      #expect(throws: DetectorStateError.self, "cut to \(length)") { try restore(Array(state.prefix(length))) }
    }
    for position in [4, 6, 13, 14, 20, state.count / 2, state.count - 1] + (0..<20).map({ _ in Int(random.next() % UInt64(state.count)) }) {
      var damaged = state
      damaged[position] ^= 0x01
      #expect(throws: DetectorStateError.self, "byte \(position) altered") { try restore(damaged) }
    }
    var wrongMagic = state
    wrongMagic[0] = UInt8(ascii: "X")
    #expect(throws: DetectorStateError.notDetectorState) { try restore(wrongMagic) }
    #expect(throws: DetectorStateError.notDetectorState) { try restore(factory.symbols.encodedStrings()) }
    let version = UInt16(state[4]) | UInt16(state[5]) << 8
    var newer = state
    newer[4] = UInt8(truncatingIfNeeded: version + 1)
    newer[5] = UInt8(truncatingIfNeeded: (version + 1) >> 8)
    #expect(throws: DetectorStateError.unsupportedVersion(found: version + 1, supported: version)) { try restore(newer) }
    #expect(throws: DetectorStateError.symbolTableMismatch(savedSymbols: factory.symbols.count, tableSymbols: 0)) {
      try Detector(configuration: detector.configuration, symbols: SymbolTable(), encodedState: state)
    }
  }

  /// Bytes whose checksum is right but whose content is not a state the detector could have
  /// written: refused by the decoder or by the consistency checks, never trusted.
  @Test func wellFormedButInconsistentStateIsAnError() throws {
    let (factory, events) = Self.scenario(seed: 1)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(events.count / 2) { detector.process(event) }
    let state = try detector.encodedState()
    let payload = String(decoding: Self.payload(of: state), as: UTF8.self)
    let activeLists = try #require(payload.firstRange(of: #""active":[["#))
    func withPayload(_ text: String) -> [UInt8] { Self.state(withPayload: Array(text.utf8)) }
    // The first horizon's first active key dropped from its list: the key is still marked listed.
    var dropped = payload
    let firstEntry = try #require(dropped[activeLists.upperBound...].firstRange(of: ","))
    dropped.removeSubrange(activeLists.upperBound..<firstEntry.upperBound)
    for text in ["{}", "[]", "not json", dropped, payload.replacing(#""nextHop":["#, with: #""nextHop":[1,"#)] {
      #expect(throws: DetectorStateError.self, "\(text.prefix(40))") {
        try Detector(configuration: detector.configuration, symbols: factory.symbols, encodedState: withPayload(text))
      }
    }
    _ = try Detector(configuration: detector.configuration, symbols: factory.symbols, encodedState: withPayload(payload))
  }

  // MARK: - Helpers

  /// A run of events, saved and restored along the way or not.
  struct Run {
    var findings: [Finding] = []
    var statistics = DetectorStatistics()
    /// Per restore, whether the restored detector had findings waiting.
    var pendingAtRestore: [Bool] = []
    /// The detector's state and symbol table after the last event, before `finish()`.
    var state: [UInt8] = []
    var strings: [UInt8] = []
  }

  /// Runs `events` through a detector that is saved and restored, with a new symbol table
  /// from the saved one, before each index in `splits` (ascending), the way cron runs would:
  /// each run interns its events' strings in its own table. Findings are taken after every
  /// event except the last before a save, so pending findings travel in the state too.
  static func detectResuming(
    _ events: [AccessEvent], at splits: [Int], symbols: SymbolTable,
    configuration: DetectorConfiguration = DetectorConfiguration()
  ) throws -> Run {
    var run = Run()
    var table = SymbolTable()
    var detector = Detector(configuration: configuration, symbols: table)
    func feed(_ range: Range<Int>, takingLast: Bool) {
      for index in range {
        detector.process(reinterned(events[index], from: symbols, into: table))
        if takingLast || index != range.upperBound - 1 { run.findings += detector.takeFindings() }
      }
    }
    var position = 0
    for split in splits {
      feed(position..<split, takingLast: false)
      position = split
      let state = try detector.encodedState()
      table = try SymbolTable(encodedStrings: table.encodedStrings())
      detector = try Detector(configuration: configuration, symbols: table, encodedState: state)
      run.pendingAtRestore.append(detector.hasFindings)
      run.findings += detector.takeFindings()
    }
    feed(position..<events.count, takingLast: true)
    run.state = try detector.encodedState()
    run.strings = table.encodedStrings()
    detector.finish()
    run.findings += detector.takeFindings()
    run.statistics = detector.statistics
    return run
  }

  /// Expects a restored run to end exactly as the uninterrupted one: the same findings and
  /// statistics, and, before `finish()`, the same symbol table and the same state (compared as
  /// JSON, with its keys and the incidents' key sets in a fixed order).
  static func expect(
    _ resumed: Run, equals whole: Run, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    #expect(resumed.findings == whole.findings, comment, sourceLocation: sourceLocation)
    #expect(resumed.statistics == whole.statistics, comment, sourceLocation: sourceLocation)
    #expect(resumed.strings == whole.strings, comment, sourceLocation: sourceLocation)
    #expect(try canonical(resumed.state) == canonical(whole.state), comment, sourceLocation: sourceLocation)
  }

  /// The JSON payload of a state, keys sorted and the incidents' sets (saved in hash order,
  /// which differs between two equal sets) sorted.
  static func canonical(_ state: [UInt8]) throws -> String {
    func serialized(_ value: Any) throws -> String {
      String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }
    func sortingSets(_ value: Any) throws -> Any {
      if let array = value as? [Any] { return try array.map(sortingSets) }
      guard let object = value as? [String: Any] else { return value }
      var sorted: [String: Any] = [:]
      for (key, value) in object {
        sorted[key] = try sortingSets(value)
        if key == "members" || key == "newcomers", let set = sorted[key] as? [Any] {
          sorted[key] = try set.map { (try serialized($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
      }
      return sorted
    }
    return try serialized(sortingSets(wholeObject(state)))
  }

  /// The payload of a state as one JSON object, its key slots (each on a line of its own after
  /// the object) put back under `keys`: as format version 2 held it.
  static func wholeObject(_ state: [UInt8]) throws -> [String: Any] {
    var lines = payload(of: state).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)[...]
    var object = try #require(try JSONSerialization.jsonObject(with: Data(lines.removeFirst())) as? [String: Any])
    object["keys"] = try lines.map { try JSONSerialization.jsonObject(with: Data($0)) }
    return object
  }

  /// The payload of a saved state: after the header's magic and version, before the format 4
  /// checksum (or, in older formats, after the header's checksum).
  static func payload(of state: [UInt8]) -> ArraySlice<UInt8> {
    state[4] == 4 ? state[6..<(state.count - 8)] : state.dropFirst(14)
  }

  /// A format 4 state of `payload`, with its checksum right.
  static func state(withPayload payload: [UInt8]) -> [UInt8] {
    var checksum = ByteChecksum.Running()
    payload.withUnsafeBytes { checksum.add($0) }
    var bytes = Array("EXWD".utf8) + [4, 0] + payload
    withUnsafeBytes(of: checksum.value.littleEndian) { bytes += $0 }
    return bytes
  }

  /// `event` with its strings interned in `table`, as the run that reads it would intern them.
  static func reinterned(_ event: AccessEvent, from source: SymbolTable, into table: SymbolTable) -> AccessEvent {
    func move(_ symbol: Symbol) -> Symbol { source.string(symbol).map(table.intern) ?? .none }
    var event = event
    event.actor = move(event.actor)
    event.actorID = move(event.actorID)
    event.client = move(event.client)
    event.sourceIP = move(event.sourceIP)
    event.object = move(event.object)
    event.session = move(event.session)
    event.tenant = move(event.tenant)
    event.origin.input = move(event.origin.input)
    return event
  }

  /// The index of the event after which an uninterrupted detector first has a finding.
  static func indexOfFirstFinding(
    _ events: [AccessEvent], symbols: SymbolTable, configuration: DetectorConfiguration
  ) -> Int? {
    let detector = Detector(configuration: configuration, symbols: symbols)
    for (index, event) in events.enumerated() {
      detector.process(event)
      if detector.hasFindings { return index }
    }
    return nil
  }
}
