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
  var sinks: [any FindingSink]
  private var rejects: RejectReporter
  /// Inputs found by walking a directory (not named on the command line).
  let walked: Set<String>
  /// The event times judged (`--from`, `--until`); events outside are counted, not judged.
  let timeRange: Range<Int64>
  private(set) var outsideTimeRange = 0
  /// The line redrawn on a terminal while reading, if shown.
  var progress: ProgressDisplay?
  private(set) var reports: [InputReport] = []
  private(set) var failures = 0
  /// Walked files in no log format ExfilWatch recognises (a README, labels.json): skipped.
  private(set) var skipped: [String] = []
  private(set) var findingsWritten = 0
  private var evictionReported = false

  init(
    detector: Detector, sinks: [any FindingSink], rejectsFile: RejectsFile?, walked: Set<String>,
    timeRange: Range<Int64>
  ) {
    self.detector = detector
    self.sinks = sinks
    rejects = RejectReporter(rejectsFile: rejectsFile)
    self.walked = walked
    self.timeRange = timeRange
  }

  mutating func handleEvent(_ event: AccessEvent) throws {
    progress?.tick()
    guard timeRange.contains(event.time) else {
      outsideTimeRange += 1
      return
    }
    detector.process(event)
    if detector.hasFindings { try deliver() }
    if !evictionReported && detector.hasEvictedKeys { reportEviction() }
  }

  /// Said once, when it first happens: from then on some keys' history is being forgotten.
  private mutating func reportEviction() {
    evictionReported = true
    writeToStandardError(
      "exfilwatch: more than \(detector.configuration.maxTrackedKeys) keys: forgetting the least recently "
        + "seen ones, idle first (raise --max-keys to keep more; the summary counts them)\n")
  }

  mutating func handleReject(_ reject: RejectedRecord, input: String) throws {
    try rejects.report(reject, input: input) { progress?.clear() }
  }

  /// A file named on the command line that fails is an error (exit 3); a file met while
  /// walking a directory that is in no recognised format is skipped with a note, as a file
  /// search skips what it cannot read.
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {
    if walked.contains(report.input), report.summary.events == 0, case ParseError.unrecognisedFormat = error {
      writeToStandardError("exfilwatch: \(report.input): skipped, not in a log format ExfilWatch recognises\n")
      skipped.append(report.input)
      return
    }
    writeToStandardError("exfilwatch: \(error)\n")
    failures += 1
    reports.append(report)
  }

  mutating func handleInputFinished(_ report: InputReport) {
    reports.append(report)
  }

  /// The end of input: the last windows are judged and their findings delivered.
  mutating func finish() throws {
    detector.finish()
    try deliver()
  }

  /// Writes the waiting findings to every sink and ends the batch (flushed, and fsynced for
  /// files) before going on.
  private mutating func deliver() throws {
    let findings = detector.takeFindings()
    guard !findings.isEmpty else { return }
    progress?.clear()
    for index in sinks.indices {
      for finding in findings { try sinks[index].write(finding) }
      try sinks[index].flush()
    }
    findingsWritten += findings.count
  }
}
