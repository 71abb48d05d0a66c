import ArgumentParser
import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchPipeline
import ExfilWatchSinks
import Glibc

/// Everything `replay` and `scan` share: inputs, parsing, detection and sinks.
struct DetectionCommandOptions: ParsableArguments {
  @OptionGroup var input: InputOptions
  @OptionGroup var parsing: ParsingOptions
  @OptionGroup var detection: DetectionOptions

  @Option(
    name: .customLong("sink"),
    help: ArgumentHelp(
      "Where findings go (repeatable): stdout (one line each, the default) or jsonl:PATH (OCSF Detection Finding JSON lines, appended and fsynced after each batch).",
      valueName: "spec"))
  var sinks: [String] = []

  /// What `replay` and `scan` exit with, for their help.
  static let exitCodes = """
    Exit codes: 0 nothing found, 1 findings written, 2 usage error, 3 an input could not be \
    read, decoded or parsed (it outranks findings), 5 findings could not be written.
    """

  @Option(help: ArgumentHelp(
    "Judge only events at or after this event time (a UTC date such as 2025-06-01, or a timestamp).",
    valueName: "time"))
  var from: EventTimeArgument?

  @Option(help: ArgumentHelp("Judge only events before this event time.", valueName: "time"))
  var until: EventTimeArgument?

  @Flag(help: "Print no run summary on standard error.")
  var quiet = false

  @Flag(
    inversion: .prefixedNo,
    help: "Show a progress line on standard error while reading (default: when it is a terminal, unless --quiet).")
  var progress: Bool?

  func validate() throws {
    if let from, let until, from.milliseconds >= until.milliseconds {
      throw ValidationError("--from must be before --until.")
    }
    for text in sinks {
      do { _ = try SinkSpecification(parsing: text) } catch { throw ValidationError("--sink: \(error).") }
    }
  }

  /// Runs the detector over the inputs; the exit code says what happened: 0 nothing found,
  /// 1 findings written, 3 an input could not be read (it outranks findings).
  func run(commandName: String) throws {
    let started = MonotonicClock.now()
    // A path that is missing or cannot be walked is reported and the others are read.
    var paths: [String] = []
    var missing = 0
    for path in input.paths {
      do { paths += try InputPaths.expand([path]) } catch {
        writeToStandardError("exfilwatch: \(error)\n")
        missing += 1
      }
    }
    let symbols = SymbolTable()
    let detector = Detector(configuration: try detection.configuration(), symbols: symbols)
    let specifications = try (sinks.isEmpty ? ["stdout"] : sinks).map { try SinkSpecification(parsing: $0) }
    var run: DetectionRun
    do {
      run = DetectionRun(
        detector: detector,
        sinks: try specifications.map { try $0.makeSink(productVersion: ExfilWatch.configuration.version) },
        rejectsFile: try parsing.rejects.map { try RejectsFile(path: $0) },
        walked: Set(paths).subtracting(input.paths),
        timeRange: (from?.milliseconds ?? .min)..<(until?.milliseconds ?? .max))
    } catch {
      writeToStandardError("exfilwatch: \(error)\n")
      throw ExitStatus.outputError.exitCode
    }
    let merge = TimeOrderedMerge(
      inputs: paths.map(MergeInput.init(path:)), symbols: symbols, parserOptions: parsing.parserOptions,
      decoderOptions: input.decoderOptions)
    if progress ?? (!quiet && isatty(STDERR_FILENO) == 1) {
      run.progress = ProgressDisplay(command: commandName, merge: merge, detector: detector, paths: paths)
    }
    do {
      try merge.run(into: &run)
      try run.finish()
    } catch {
      writeToStandardError("exfilwatch: \(error)\n")
      throw ExitStatus.outputError.exitCode
    }
    run.progress?.clear()
    if !quiet {
      let summary = RunSummary(
        command: commandName, reports: run.reports, skipped: run.skipped.count,
        outsideTimeRange: run.outsideTimeRange, statistics: detector.statistics,
        configuration: detector.configuration, findingsWritten: run.findingsWritten,
        elapsedSeconds: MonotonicClock.now() - started)
      writeToStandardError(summary.text)
    }
    if run.failures + missing > 0 { throw ExitStatus.inputError.exitCode }
    if run.findingsWritten > 0 { throw ExitStatus.findings.exitCode }
  }
}

/// Seconds on a clock that only goes forward, for elapsed times.
enum MonotonicClock {
  static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
