import ArgumentParser
import ExfilWatchDecoder
import ExfilWatchDetector
import ExfilWatchParser
import ExfilWatchPipeline
import Glibc

/// `exfilwatch tail`: the live use. Files are followed like `tail -F`, events judged as they
/// arrive, findings written within a poll of the window that proves them being judged, and the
/// state committed as it goes, so a restart continues without alerting twice.
struct TailCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "tail",
    abstract: "Follow live audit logs (like tail -F) and write findings as they happen.",
    discussion: """
      Paths, directories and globs (quote them) are looked at every --poll-interval: growing \
      files are read on, rotated files (renamed) are read to their end before the new file is \
      taken, truncated files (copytruncate) are read again from their start, files that appear \
      later are read from their start; zstd files appended frame by frame and gzip files \
      appended member by member are followed too, a frame or line still being written waits. \
      Existing content is read first (it builds the baselines). Every --checkpoint-interval \
      and on SIGINT or SIGTERM the state file (default ./exfilwatch.state) is committed; a \
      graceful stop exits 0. Restarted, it continues from the state without re-alerting.

      A window is judged once event time has passed its end by --allowed-lateness, for tail \
      by default the shortest hop (1m): a finding comes within a hop and a poll of the window \
      that proves it. Raise it for sources that arrive out of step. With no new events for \
      --idle-close, event time is taken to be the wall clock, so the last windows of a source \
      that went quiet are judged too.

      Examples:
        exfilwatch tail --sink jsonl:/var/lib/exfilwatch/findings.jsonl '/var/log/salesforce/*.jsonl*'
        exfilwatch tail --state /var/lib/exfilwatch/tail.state --poll-interval 500ms /var/log/okta/
        exfilwatch tail --metrics-listen 127.0.0.1:9464 '/var/log/salesforce/*.jsonl*'
      """
  )

  @Argument(help: "Files, directories and globs to follow (default: the config file's inputs).")
  var patterns: [String] = []

  @OptionGroup var parsing: ParsingOptions
  @OptionGroup var detection: DetectionOptions
  @OptionGroup var output: RunOutputOptions
  @OptionGroup var metrics: MetricsFileOption
  @OptionGroup var logging: LoggingOptions

  @Option(help: ArgumentHelp(
    "Serve metrics in the Prometheus text format at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464; port 0 picks a free one, said on standard error).",
    valueName: "host:port"))
  var metricsListen: ListenAddress?

  @Option(help: ArgumentHelp("How often files are looked at.", valueName: "duration"))
  var pollInterval = DurationArgument(milliseconds: 1_000)

  @Option(help: ArgumentHelp(
    "How long a rotated or deleted file is still read before its last line is taken and it is closed.",
    valueName: "duration"))
  var rotateWait = DurationArgument(milliseconds: 5_000)

  @Option(help: ArgumentHelp(
    "With no new events for this long (wall clock), take event time to be the wall clock so open windows close; 0s never.",
    valueName: "duration"))
  var idleClose = DurationArgument(milliseconds: 60_000)

  @Option(help: "Largest zstd window to accept, in bytes (suffixes K, M, G); bigger frames are refused.")
  var maxWindow = ByteCount(bytes: DecoderOptions.defaultMaxWindowBytes)

  func run() throws {
    let started = MonotonicClock.now()
    let file = try output.configurationFile()
    let configured = patterns.isEmpty ? file?.inputs : nil
    let ownOptions = try (configured ?? []).map { try parsing.parserOptions(for: $0) }
    guard let patterns = patterns.isEmpty ? configured?.map(\.path) : patterns else {
      Log.error("tail: no files to follow: name them, or give a config file with inputs")
      throw ExitStatus.usage.exitCode
    }
    StopSignal.install()
    var run = try output.makeRun(
      sinks: try output.namedSinks(file: file), configuration: try detection.configuration(judgesWithinAHop: true),
      allowlist: try detection.allowlist() ?? file?.allowlist, statePath: output.state ?? RunOutputOptions.defaultStatePath,
      rejectsFile: { try parsing.rejects.map { try RejectsFile(path: $0) } })
    let restored = run.detector.statistics
    let metricsReporting = try MetricsReporting(
      command: "tail", file: metrics.metricsFile, listen: metricsListen, run: run)
    defer { metricsReporting?.close() }
    if let server = metricsReporting?.server {
      Log.notice("serving metrics on http://\(server.address)/metrics")
    }
    let decoderOptions = DecoderOptions(maxWindowBytes: maxWindow.bytes)
    let follower = FileFollower(
      patterns: patterns, parserOptions: ownOptions, decoderOptions: decoderOptions, rotateWait: Double(rotateWait.milliseconds) / 1000)
    var idle = IdleClock(after: Double(idleClose.milliseconds) / 1000)
    var reported: Set<String> = []
    do {
      while true {
        let now = MonotonicClock.now()
        for problem in follower.discover(now: now, startPosition: { run.state?.startPosition(for: $0) ?? .start })
        where reported.insert(problem).inserted {
          Log.warning("\(problem)")
        }
        let inputs = follower.inputs(now: now)
        run.sources = follower.followed.map(\.identity)
        let merge = TimeOrderedMerge(
          inputs: inputs, symbols: run.detector.symbols, parserOptions: parsing.parserOptions,
          decoderOptions: decoderOptions, operations: run.state?.operations ?? ReadOperationTracker(),
          inputsMayGrow: true, maxTimeJump: run.detector.configuration.maxTimeJump)
        try merge.run(into: &run)
        follower.advance(to: merge.positions)
        if let eventTime = idle.eventTime(afterRoundWith: merge.statistics.events, detector: run.detector, now: now) {
          try run.advanceIdle(to: eventTime)
        }
        let stopping = StopSignal.received
        if stopping { run.closeSinks() }
        let checkpoint = stopping || run.wantsCheckpoint
        if checkpoint {
          run.sources = follower.followed.map(\.identity)
          try run.handleCheckpoint(follower.followed.map(\.position))
        }
        metricsReporting?.publish(run)
        if checkpoint { metricsReporting?.writeFile() }
        if stopping { break }
        StopSignal.sleep(seconds: Double(pollInterval.milliseconds) / 1000)
      }
    } catch let error as RunStateError {
      Log.error("\(error)")
      throw ExitStatus.usage.exitCode
    } catch {
      Log.error("\(error)")
      throw ExitStatus.outputError.exitCode
    }
    if !output.quiet {
      var summary = RunSummary(
        command: "tail", reports: run.reports, skipped: run.skipped.count, outsideTimeRange: 0,
        statistics: run.detector.statistics.since(restored), configuration: run.detector.configuration,
        findingsWritten: run.findingsWritten, elapsedSeconds: MonotonicClock.now() - started)
      if let state = run.state, !run.commitHeld {
        summary.stateTotals = (state.path, run.detector.statistics, (state.totals["runs"] ?? 0) + 1)
      }
      Log.infoLines(summary.text)
      Log.info("tail: stopped; \(follower.truncations) truncated file(s) read again")
    }
    // Messages kept in the spool go out when tail starts again, and refusals were reported
    // as they came: a graceful stop fails only when a local sink still cannot be written.
    for problem in run.undelivered { Log.error("\(problem)") }
    if !run.delivery.failingLocalSinks.isEmpty { throw ExitStatus.outputError.exitCode }
  }
}

/// Event time for sources that went quiet: after `after` seconds of wall clock without a new
/// event, event time is taken to be the wall clock (when that is later), so the windows still
/// open are judged: a live source's events carry about the wall clock's time, and none that
/// arrives later can change those windows by more than being late.
struct IdleClock {
  let after: Double
  private var newestEventTime: Int64?
  private var newestArrived = 0.0

  init(after: Double) {
    self.after = after
  }

  /// The event time to advance to after a round that handed on `events`, or `nil`.
  mutating func eventTime(afterRoundWith events: Int, detector: Detector, now: Double) -> Int64? {
    let newest = detector.statistics.newestEventTime
    if events > 0 || newest != newestEventTime {
      newestEventTime = newest
      newestArrived = now
      return nil
    }
    guard after > 0, now - newestArrived >= after else { return nil }
    // Fewer first events than start a run came before the source went quiet: start with them.
    if newest == nil { detector.startWithHeldEvents() }
    guard let newest = detector.statistics.newestEventTime else { return nil }
    let wallTime = WallClock.milliseconds()
    return wallTime > newest ? wallTime : nil
  }
}

/// SIGINT and SIGTERM ask `tail` to stop after the current round, commit and exit 0.
enum StopSignal {
  nonisolated(unsafe) private static var flag: sig_atomic_t = 0

  static var received: Bool { flag != 0 }

  static func install() {
    // A parent may have started us with these signals blocked (blocked masks are inherited
    // across exec): unblock them, or a stop request would never arrive.
    var stopSignals = sigset_t()
    sigemptyset(&stopSignals)
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber) { _ in StopSignal.flag = 1 }
      sigaddset(&stopSignals, signalNumber)
    }
    pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
  }

  /// Sleeps, waking early when a stop is asked for.
  static func sleep(seconds: Double) {
    let deadline = MonotonicClock.now() + seconds
    while !received, case let left = deadline - MonotonicClock.now(), left > 0 {
      usleep(UInt32(min(left, 0.1) * 1_000_000))
    }
  }
}
