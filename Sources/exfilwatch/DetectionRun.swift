import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchSinks

/// One run of the detector over inputs: Pipeline (time-ordered events) → Detector → Sinks,
/// with the counts its summary needs. `replay` and `scan` differ only in what they tell a
/// person.
struct DetectionRun: MergedEventHandler {
  let detector: Detector
  private(set) var delivery: FindingDelivery
  /// The state file, when the run resumes from one and saves to it.
  var state: RunState?
  /// What each input of the merge is, by input index, for the state file's positions.
  var sources: [SourceIdentity?] = []
  /// When the state is next committed while reading.
  var checkpoints = CheckpointSchedule(interval: 10, now: MonotonicClock.now())
  private var rejects: RejectReporter
  /// Inputs found by walking a directory (not named on the command line).
  let walked: Set<String>
  /// The event times judged (`--from`, `--until`); events outside are counted, not judged.
  let timeRange: Range<Int64>
  private(set) var outsideTimeRange = 0
  /// Whether notes (a walked file skipped) are printed; errors always are.
  var showsNotes = true
  /// The line redrawn on a terminal while reading, if shown.
  var progress: ProgressDisplay?
  /// Whether `handleEvent` ticks the progress line: not when events are handled on a thread
  /// of their own (the hand-off ticks it on the merge's thread, which the line reads).
  var ticksProgress = true
  /// What each input gave, one report per input however often it was read (`tail` reads its
  /// files again every poll), in the order inputs first ended.
  private(set) var reports: [InputReport] = []
  private var reportIndex: [String: Int] = [:]
  private(set) var failures = 0
  /// Walked files in no log format ExfilWatch recognises (a README, labels.json): skipped.
  private(set) var skipped: [String] = []
  var findingsWritten: Int { delivery.findingsWritten }
  /// Finding messages the detector made (first findings and updates), by severity.
  private(set) var findingsBySeverity: [Finding.Severity: Int] = [:]
  private var evictionReported = false
  private var clockOutlierReported = false
  private var commitHeldReported = false
  /// Whether the last checkpoint was skipped (a local sink could not be written): the state
  /// file still holds an earlier commit.
  private(set) var commitHeld = false

  init(
    detector: Detector, delivery: FindingDelivery, rejectsFile: RejectsFile?,
    walked: Set<String>, timeRange: Range<Int64>
  ) {
    self.detector = detector
    self.delivery = delivery
    rejects = RejectReporter(rejectsFile: rejectsFile)
    self.walked = walked
    self.timeRange = timeRange
  }

  mutating func handleEvent(_ event: AccessEvent) throws {
    if ticksProgress { progress?.tick() }
    guard timeRange.contains(event.time) else {
      outsideTimeRange += 1
      return
    }
    detector.process(event)
    if detector.hasFindings { try deliver() }
    if !evictionReported && detector.hasEvictedKeys { reportEviction() }
    if !clockOutlierReported && detector.clockOutliers > 0 { reportClockOutlier() }
  }

  var marksSymbols: Bool { true }

  mutating func markSymbols(into marks: inout SymbolMarks) throws {
    detector.markSymbols(into: &marks)
  }

  /// Said once, for the first: the summary and the metrics count the rest.
  private mutating func reportClockOutlier() {
    clockOutlierReported = true
    guard let origin = detector.statistics.firstClockOutlier else { return }
    let input = detector.symbols.string(origin.input) ?? "input"
    Log.warning(
      "\(input):\(origin.line): event time more than \(DurationArgument(milliseconds: detector.configuration.maxTimeJump)) "
        + "ahead of the events around it (a wrong clock?): not judged, and it does not move event time; "
        + "the summary counts such events")
  }

  /// Said once, when it first happens: from then on some keys' history is being forgotten.
  private mutating func reportEviction() {
    evictionReported = true
    Log.warning(
      "more than \(detector.configuration.maxTrackedKeys) keys: forgetting the least recently "
        + "seen ones, idle first (raise --max-keys to keep more; the summary counts them)")
  }

  mutating func handleReject(_ reject: RejectedRecord, input: String) throws {
    rejectsReported += 1
    try rejects.report(reject, input: input) { progress?.clear() }
  }

  private(set) var rejectsReported = 0

  var wantsCheckpoint: Bool {
    state != nil && checkpoints.isDue(now: MonotonicClock.now())
  }

  /// Commits the state: the inputs' positions, the detector after the events handled so far,
  /// the findings delivered (flushed to every local sink, acknowledged by remote ones) and the
  /// remote sinks' spools. Not while a local sink holds findings it could not write: the next
  /// run must read their events again.
  mutating func handleCheckpoint(_ positions: [InputPosition?]) throws {
    guard let state else { return }
    let start = MonotonicClock.now()
    defer { checkpoints.committed(start: start, end: MonotonicClock.now()) }
    commitHeld = delivery.holdsUnwritten
    guard !commitHeld else {
      if !commitHeldReported {
        commitHeldReported = true
        Log.warning(
          "state \(state.path): progress not committed while a sink cannot be written; "
            + "the next run reads again from the last commit")
      }
      return
    }
    let known = zip(sources, positions).compactMap { source, position in
      source.flatMap { source in position.map { (source, $0) } }
    }
    delivery.collectRemoteProgress(state: state)
    try state.commit(
      known, totals: ["rejects": Int64(rejectsReported), "runs": 1], spool: delivery.spoolToSave)
    delivery.spoolSaved()
  }

  /// A file named on the command line that fails is an error (exit 3); a file met while
  /// walking a directory that is in no recognised format is skipped with a note, as a file
  /// search skips what it cannot read.
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {
    if walked.contains(report.input), report.summary.events == 0, case ParseError.unrecognisedFormat = error {
      if showsNotes {
        Log.notice("\(report.input): skipped, not in a log format ExfilWatch recognises")
      }
      skipped.append(report.input)
      return
    }
    // `tail` reads every input again each poll: an input that fails the same way each time
    // is said once (again if it recovers and fails later).
    if saidFailures.updateValue("\(error)", forKey: report.input) != "\(error)" { Log.error("\(error)") }
    failures += 1
    record(report)
  }

  private var saidFailures: [String: String] = [:]

  mutating func handleInputFinished(_ report: InputReport) {
    saidFailures[report.input] = nil
    record(report)
  }

  private mutating func record(_ report: InputReport) {
    guard let index = reportIndex[report.input] else {
      reportIndex[report.input] = reports.count
      reports.append(report)
      return
    }
    reports[index].add(report)
  }

  /// Event time goes on without events (a live source went quiet): the windows it closes are
  /// judged and their findings delivered.
  mutating func advanceIdle(to eventTime: Int64) throws {
    detector.advanceWatermark(toEventTime: eventTime)
    try deliver()
  }

  /// The end of input: the last windows are judged and their findings delivered.
  mutating func finish() throws {
    detector.finish()
    try deliver()
  }

  /// Hands the waiting findings to every sink.
  private mutating func deliver() throws {
    let findings = detector.takeFindings()
    guard !findings.isEmpty else { return }
    for finding in findings { findingsBySeverity[finding.severity, default: 0] += 1 }
    guard let progress else { return delivery.deliver(findings, state: state) }
    progress.whileCleared { delivery.deliver(findings, state: state) }
  }

  /// The end of a run (or of `tail`), before its last checkpoint: each remote sink sends what
  /// waits for as long as it keeps delivering (and its attempt timeout more when it does not),
  /// failed local sinks get one more try.
  mutating func closeSinks() {
    delivery.drainRemote(allowing: delivery.longestAttemptTimeout)
    delivery.retryUnwritten(state: state)
    delivery.collectRemoteProgress(state: state)
  }

  /// What did not reach a sink, one line per sink, for the operator (exit 5); after the last
  /// checkpoint, which decides what became of it.
  var undelivered: [String] {
    var problems = delivery.failingLocalSinks
    for (name, queue) in delivery.remote {
      let count = delivery.waitingCount[name] ?? 0
      guard count > 0 else { continue }
      let fate =
        switch (state, commitHeld) {
        case (nil, _): "not kept: no state file (give --state to spool them)"
        case (let state?, false): "kept in the spool of \(state.path) for the next run"
        case (_, true): "not committed: the next run judges them again"
        }
      problems.append("\(queue.destination): \(count) finding message(s) not delivered, \(fate)")
    }
    if delivery.refused > 0 {
      problems.append("\(delivery.refused) finding message(s) refused by a receiver (reported above)")
    }
    return problems
  }
}
