import ArgumentParser
import ExfilWatchConfiguration
import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchSinks
import Glibc

/// Everything `replay` and `scan` share: inputs, parsing, detection and sinks.
struct DetectionCommandOptions: ParsableArguments {
  @OptionGroup var input: InputOptions
  @OptionGroup var parsing: ParsingOptions
  @OptionGroup var detection: DetectionOptions

  @OptionGroup var output: RunOutputOptions
  @OptionGroup var metrics: MetricsFileOption
  @OptionGroup var logging: LoggingOptions

  /// What `replay` and `scan` exit with, for their help.
  static let exitCodes = """
    Exit codes: 0 nothing (new) found, 1 new findings written, 2 usage error or unusable state \
    file, 3 an input could not be read, decoded or parsed (it outranks findings), 4 another run \
    holds the state file, 5 findings could not be written.
    """

  @Option(help: ArgumentHelp(
    "Judge only events at or after this event time (a UTC date such as 2025-06-01, or a timestamp).",
    valueName: "time"))
  var from: EventTimeArgument?

  @Option(help: ArgumentHelp("Judge only events before this event time.", valueName: "time"))
  var until: EventTimeArgument?

  @Flag(
    inversion: .prefixedNo,
    help: "Show a progress line on standard error while reading (default: when it is a terminal, unless --quiet).")
  var progress: Bool?

  @Option(help: ArgumentHelp(
    "Threads: with 2 or more, the inputs are read and parsed on one thread while the detector runs on another; 1 does all on one. Defaults to the cores online.",
    valueName: "n"))
  var threads = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

  func validate() throws {
    if let from, let until, from.milliseconds >= until.milliseconds {
      throw ValidationError("--from must be before --until.")
    }
    if threads < 1 { throw ValidationError("--threads must be at least 1.") }
  }

  /// Runs the detector over the inputs; the exit code says what happened: 0 nothing found,
  /// 1 findings written, 3 an input could not be read (it outranks findings), 5 a finding did
  /// not reach a sink (it outranks the others: alerts that do not arrive matter most).
  func run(commandName: String) throws {
    let started = MonotonicClock.now()
    // Read once, before anything else, so its mistakes are the first thing said.
    let file = try output.configurationFile()
    let sinks = try output.namedSinks(file: file)
    let (paths, named, ownOptions, missing) = try inputFiles(configured: file?.inputs ?? [])
    var run = try output.makeRun(
      sinks: sinks, configuration: try detection.configuration(), allowlist: try detection.allowlist() ?? file?.allowlist,
      statePath: output.state ?? (commandName == "scan" ? RunOutputOptions.defaultStatePath : nil),
      rejectsFile: { try parsing.rejects.map { try RejectsFile(path: $0) } },
      walked: Set(paths).subtracting(named),
      timeRange: (from?.milliseconds ?? .min)..<(until?.milliseconds ?? .max))
    let detector = run.detector
    let runState = run.state
    let metricsReporting = try MetricsReporting(command: commandName, file: metrics.metricsFile, run: run)
    run.showsNotes = !output.quiet && (output.verbose || commandName != "scan")
    let restored = detector.statistics
    var inputs = paths.map(MergeInput.init(path:))
    for index in inputs.indices { inputs[index].parserOptions = ownOptions[paths[index]] }
    if let runState {
      run.sources = paths.map { SourceIdentity(path: $0, decoderOptions: input.decoderOptions) }
      for (index, source) in run.sources.enumerated() {
        guard let source else { continue }
        inputs[index].start = runState.startPosition(for: source)
        inputs[index].expectedFile = source.file
      }
    }
    // With a state file the inputs are read again later: their ends are where their writers
    // have got to, and the last windows stay open for the next run instead of being judged.
    let merge = TimeOrderedMerge(
      inputs: inputs, symbols: run.detector.symbols, parserOptions: parsing.parserOptions,
      decoderOptions: input.decoderOptions, operations: runState?.operations ?? ReadOperationTracker(),
      inputsMayGrow: runState != nil, maxTimeJump: run.detector.configuration.maxTimeJump)
    if progress ?? (!output.quiet && isatty(STDERR_FILENO) == 1) {
      run.progress = ProgressDisplay(command: commandName, merge: merge, paths: paths)
    }
    do {
      try read(merge, into: &run)
      if runState == nil { try run.finish() }
      run.closeSinks()
      if runState != nil { try run.handleCheckpoint(merge.positions) }
    } catch let error as RunStateError {
      run.progress?.clear()
      Log.error("\(error)")
      metricsReporting?.finishRun(run, durationSeconds: MonotonicClock.now() - started, succeeded: false)
      throw ExitStatus.usage.exitCode
    } catch {
      Log.error("\(error)")
      metricsReporting?.finishRun(run, durationSeconds: MonotonicClock.now() - started, succeeded: false)
      throw ExitStatus.outputError.exitCode
    }
    run.progress?.clear()
    let undelivered = run.undelivered
    let eventful = run.findingsWritten > 0 || run.failures + missing > 0 || !undelivered.isEmpty
    if !output.quiet && (output.verbose || commandName != "scan" || eventful) {
      var summary = RunSummary(
        command: commandName, reports: run.reports, skipped: run.skipped.count,
        outsideTimeRange: run.outsideTimeRange, statistics: detector.statistics.since(restored),
        configuration: detector.configuration, findingsWritten: run.findingsWritten,
        elapsedSeconds: MonotonicClock.now() - started)
      if let runState, !run.commitHeld {
        summary.stateTotals = (runState.path, detector.statistics, (runState.totals["runs"] ?? 0) + 1)
      }
      Log.infoLines(summary.text)
    }
    for problem in undelivered { Log.error("\(problem)") }
    metricsReporting?.finishRun(
      run, durationSeconds: MonotonicClock.now() - started, succeeded: undelivered.isEmpty && run.failures + missing == 0)
    if !undelivered.isEmpty { throw ExitStatus.outputError.exitCode }
    if run.failures + missing > 0 { throw ExitStatus.inputError.exitCode }
    if run.findingsWritten > 0 { throw ExitStatus.findings.exitCode }
  }

  /// The files to read: the command line's paths, else the config file's inputs (each with its
  /// own format and field mapping where it gives them), else standard input; directories are
  /// walked. A path that is missing or cannot be walked is reported and counted (`missing`),
  /// and the others are read.
  ///
  /// - Throws: `ExitCode` 2 when a config input's field mapping is not valid.
  private func inputFiles(configured fileInputs: [ConfiguredInput]) throws -> (
    files: [String], named: [String], parserOptions: [String: ParserOptions], missing: Int
  ) {
    let configured = input.paths == ["-"] && !CommandLine.arguments.contains("-") ? fileInputs : []
    let named = configured.isEmpty ? input.paths : configured.map(\.path)
    var files: [String] = []
    var parserOptions: [String: ParserOptions] = [:]
    var assigned: Set<String> = []
    var missing = 0
    for (index, path) in named.enumerated() {
      let own = index < configured.count ? try parsing.parserOptions(for: configured[index]) : nil
      do {
        let expanded = try InputPaths.expand([path])
        files += expanded
        // The first input that names a file gives its options (as for tail).
        for file in expanded where assigned.insert(file).inserted { parserOptions[file] = own }
      } catch {
        Log.error("\(error)")
        missing += 1
      }
    }
    return (InputPaths.distinctFiles(files), named, parserOptions, missing)
  }

  /// Runs the merge into `run`: all on this thread, or (`--threads` 2 or more) with the
  /// detector and sinks on a thread of their own while this one decodes and parses. The run
  /// sees the same calls in the same order either way, so the findings are the same.
  private func read(_ merge: TimeOrderedMerge, into run: inout DetectionRun) throws {
    guard threads > 1 else { return try merge.run(into: &run) }
    let progress = run.progress
    run.ticksProgress = false
    var concurrent = ConcurrentEventHandler(wrapping: run) { progress?.tick(events: $0) }
    let cpuBefore = ThreadTimes.threadCPUSeconds()
    do {
      try merge.run(into: &concurrent)
    } catch {
      // The run as the worker left it, so that what it counted is reported.
      run = concurrent.stop()
      throw error
    }
    run = concurrent.stop()
    if let failure = concurrent.failure { throw failure }
    run.ticksProgress = true
    let times = concurrent.threadTimes!
    func seconds(_ value: Double) -> String { DisplayText.decimals(value, places: 2) + " s" }
    Log.debug(
      "threads: reading and parsing \(seconds(ThreadTimes.threadCPUSeconds() - cpuBefore)) CPU, "
        + "waited \(seconds(times.callerWaited)) for the detector; detecting \(seconds(times.workerBusy)) CPU, "
        + "waited \(seconds(times.workerWaited)) for events")
  }
}

/// The wall clock (UTC), for log times, event lag and idle sources.
enum WallClock {
  /// Milliseconds since 1970.
  static func milliseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
  }
}
