import ArgumentParser
import ExfilWatchConfiguration
import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchPipeline
import ExfilWatchSinks

/// What `replay`, `scan` and `tail` share about where results and state go: the sinks, the
/// state file, and how much is said on standard error.
struct RunOutputOptions: ParsableArguments {
  @Option(
    name: .customLong("sink"),
    help: ArgumentHelp(
      "Where findings go (repeatable; replaces the config file's sinks, taking the options of a config sink with the same URL, path or transport): stdout (one line each, the default), jsonl:PATH (OCSF Detection Finding JSON lines, appended and fsynced after each batch), sqlite:PATH (a findings table, one row per finding at its latest revision; list it with `exfilwatch findings`), webhook:URL (POST the OCSF finding, or a Slack message to hooks.slack.com), syslog:udp://HOST:PORT, syslog:tcp://HOST:PORT or syslog:unix:///dev/log (RFC 5424 with the finding as JSON). Webhook and syslog sinks retry and spool what they cannot deliver in the state file.",
      valueName: "spec"))
  var sinks: [String] = []

  @Option(help: ArgumentHelp(
    "Config file (YAML): inputs, sinks and their options (webhook format, secret, timeout, headers, ca_file, name; syslog format, facility, timeout, max_message_bytes, app_name), and any option by its long name (warm_up: 7d); the command line wins. Values may name environment variables as ${NAME}. See `exfilwatch config example`.",
    valueName: "path"))
  var config: String?

  /// Where `scan` and `tail` keep their state when not told.
  static let defaultStatePath = "exfilwatch.state"

  @Option(help: ArgumentHelp(
    "State file (SQLite, created 0600): read only what is new since the run that saved it, carry the baselines forward, deliver no finding twice. scan and tail: default ./\(defaultStatePath); replay: none (start empty, save nothing).",
    valueName: "path"))
  var state: String?

  @Flag(help: "Start the state file over: forget positions, baselines and deliveries.")
  var resetState = false

  @Option(help: ArgumentHelp(
    "How often the state is committed while reading (and at the end); after a slow commit, at least four times its duration later.",
    valueName: "duration"))
  var checkpointInterval = DurationArgument(milliseconds: 10_000)

  @Option(help: ArgumentHelp(
    "Most findings kept waiting for each webhook or syslog sink that cannot take them (and so spooled in the state); past it, revisions a later one supersedes, then the oldest, are dropped for that sink and reported.",
    valueName: "count"))
  var maxSpool = QueuedDelivery.defaultMaxWaiting

  @Flag(help: "Print the run summary even when nothing new was found (scan is quiet otherwise).")
  var verbose = false

  @Flag(help: "Print no run summary on standard error.")
  var quiet = false

  func validate() throws {
    if quiet && verbose { throw ValidationError("--quiet and --verbose contradict each other.") }
    guard maxSpool >= 1 else { throw ValidationError("--max-spool must be at least 1.") }
    for text in sinks {
      do { _ = try SinkSpecification(parsing: text) } catch { throw ValidationError("--sink: \(error).") }
    }
  }

  /// Opens the state file (if any) and the sinks, and makes the run that feeds the detector.
  ///
  /// - Parameters:
  ///   - sinks: `namedSinks()`, read before anything else so a config file's mistakes are the
  ///     first thing said.
  ///   - allowlist: the command line's (`--allow`), else the config file's; nil: none.
  ///   - statePath: the state file to use, `nil` for none.
  /// - Throws: `ExitCode`: 4 when another run holds the state file, 2 when it is unusable, 5
  ///   when a sink cannot be opened; the reason is on standard error.
  func makeRun(
    sinks: [NamedSink], configuration: DetectorConfiguration, allowlist: Allowlist?, statePath: String?,
    rejectsFile: () throws -> RejectsFile?, walked: Set<String> = [], timeRange: Range<Int64> = .min ..< .max
  ) throws -> DetectionRun {
    let runState: RunState?
    do {
      runState = try statePath.map { try RunState(path: $0, reset: resetState, configuration: configuration) }
    } catch {
      Log.error("\(error)")
      if case RunStateError.locked = error { throw ExitStatus.locked.exitCode }
      throw ExitStatus.usage.exitCode
    }
    let symbols = runState?.symbols ?? SymbolTable()
    let detector = runState?.detector ?? Detector(configuration: configuration, symbols: symbols)
    detector.allowlist = allowlist ?? Allowlist()
    for entry in detector.allowlist.unmatchable(by: configuration.dimensions) {
      Log.warning("allowlist entry \(entry.field.rawValue) matches no key: no --dimension has \(entry.field.rawValue)")
    }
    if let runState {
      for (sink, count) in runState.spooledSinks(notIn: Set(sinks.map(\.name))) {
        Log.warning(
          "state \(runState.path): \(count) finding message(s) wait in the spool for sink "
            + "'\(sink)', which this run does not deliver to; they are kept")
      }
    }
    do {
      var run = DetectionRun(
        detector: detector,
        delivery: try FindingDelivery(
          sinks: sinks.map { ($0.name, $0.specification) }, state: runState, maxSpool: maxSpool),
        rejectsFile: try rejectsFile(), walked: walked, timeRange: timeRange)
      run.state = runState
      run.checkpoints = CheckpointSchedule(
        interval: Double(checkpointInterval.milliseconds) / 1000, now: MonotonicClock.now())
      return run
    } catch {
      Log.error("\(error)")
      throw ExitStatus.outputError.exitCode
    }
  }

  /// The config file, if one is given.
  ///
  /// - Throws: `ExitCode` 2 with every problem of the file on standard error.
  func configurationFile() throws -> ConfigurationFile? {
    guard let config else { return nil }
    do {
      return try ConfigurationFile.load(path: config)
    } catch {
      for problem in error.problems { Log.error("\(problem)") }
      throw ExitStatus.usage.exitCode
    }
  }

  /// The sinks of the command line, else of the config file, else standard output. A
  /// `--sink` that names a sink of the config file (the same URL, path or transport) takes its
  /// options and name from there: `--sink webhook:URL` with the config's secret.
  ///
  /// - Parameter file: `configurationFile()`, read once by the command.
  /// - Throws: `ExitCode` 2 when two sinks would share a name (and so one spool and one record
  ///   of deliveries).
  func namedSinks(file: ConfigurationFile?) throws -> [NamedSink] {
    let configured = file?.sinks ?? []
    guard !sinks.isEmpty else {
      return configured.isEmpty ? [NamedSink(specification: .standardOutput)] : configured
    }
    let named = try sinks.map { text in
      let specification = try SinkSpecification(parsing: text)
      return configured.first { $0.specification.defaultName == specification.defaultName }
        ?? NamedSink(specification: specification)
    }
    var seen: Set<String> = []
    for sink in named where !seen.insert(sink.name).inserted {
      Log.error("--sink \(sink.specification) is given twice")
      throw ExitStatus.usage.exitCode
    }
    return named
  }
}
