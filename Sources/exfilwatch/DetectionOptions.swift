import ArgumentParser
import ExfilWatchDetector

/// The detector's settings on the command line (defaults explained in the README, "How
/// detection works").
struct DetectionOptions: ParsableArguments {
  @Option(
    name: .customLong("dimension"),
    help: ArgumentHelp(
      "What records are summed per (repeatable): actor, client, source_ip, object, session, tenant, or a combination such as actor+object. Default: actor, client, source_ip.",
      valueName: "fields"))
  var dimensions: [String] = []

  @Option(
    name: .customLong("horizon"),
    help: ArgumentHelp(
      "Set a horizon's window and thresholds (repeatable), e.g. 5m:hop=1m,score=4,records=5000,reads=1000,multiple=10,spread=0.5. A new name adds a horizon.",
      valueName: "spec"))
  var horizons: [String] = []

  @Option(help: "Event time learnt before established keys are flagged.")
  var warmUp = DurationArgument(milliseconds: DetectorConfiguration().warmUp)

  @Option(help: ArgumentHelp(
    "How late an event may arrive and still count in its window; windows are judged that long after they end (replay, scan: 5m; tail: the shortest hop, 1m).",
    valueName: "duration"))
  var allowedLateness: DurationArgument?

  @Option(help: "An incident with no flagged window for this long is closed.")
  var quietPeriod = DurationArgument(milliseconds: DetectorConfiguration().quietPeriod)

  @Option(help: "A key flagged without a break for this long learns its new level.")
  var relearnAfter = DurationArgument(milliseconds: DetectorConfiguration().relearnAfter)

  @Option(help: "Most keys tracked at once; the least recently seen beyond it are forgotten.")
  var maxKeys = DetectorConfiguration().maxTrackedKeys

  @Option(help: ArgumentHelp(
    "An event this far ahead of the newest moves event time only once --jump-confirmations events in a row agree; else it is a wrong clock, counted and not judged.",
    valueName: "duration"))
  var maxTimeJump = DurationArgument(milliseconds: DetectorConfiguration().maxTimeJump)

  @Option(help: "Events in a row past --max-time-jump that make the jump real (a gap in the logs).")
  var jumpConfirmations = DetectorConfiguration().jumpConfirmations

  @Option(
    name: .customLong("allow"),
    help: ArgumentHelp(
      "Never alert on keys with this value (repeatable; replaces the config file's allowlist): actor=NAME, client=NAME, source_ip=ADDRESS or CIDR, object=, session=, tenant=. Own thresholds instead of never: in the config file.",
      valueName: "field=value"))
  var allow: [String] = []

  static let mostDimensions = 16

  func validate() throws {
    _ = try configuration()
    _ = try allowlist()
  }

  /// The `--allow` entries, or nil when none are given (the config file's allowlist applies).
  func allowlist() throws -> Allowlist? {
    guard !allow.isEmpty else { return nil }
    return Allowlist(entries: try allow.map { text in
      let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, let field = EventField(rawValue: parts[0]), !parts[1].isEmpty else {
        let fields = EventField.allCases.map(\.rawValue).joined(separator: ", ")
        throw ValidationError("--allow '\(text)': expected FIELD=VALUE with FIELD one of \(fields).")
      }
      guard field == .sourceIP else { return Allowlist.Entry(field: field, match: .value(parts[1])) }
      guard let network = IPNetwork(parsing: parts[1]) else {
        throw ValidationError("--allow '\(text)': expected an IP address or a network such as 10.20.0.0/16.")
      }
      return Allowlist.Entry(field: field, match: .network(network))
    })
  }

  /// The detector configuration the options describe.
  ///
  /// - Parameter judgesWithinAHop: without `--allowed-lateness`, take the shortest hop as the
  ///   lateness, so a window is judged within a hop of its end (`tail`); else the detector's
  ///   default, which leaves more room for inputs that arrive out of step.
  func configuration(judgesWithinAHop: Bool = false) throws -> DetectorConfiguration {
    var configuration = DetectorConfiguration(
      warmUp: warmUp.milliseconds,
      quietPeriod: quietPeriod.milliseconds, relearnAfter: relearnAfter.milliseconds,
      maxTrackedKeys: maxKeys, maxTimeJump: maxTimeJump.milliseconds, jumpConfirmations: jumpConfirmations)
    if !dimensions.isEmpty {
      configuration.dimensions = try dimensions.map { text in
        do { return try Dimension(parsing: text) } catch { throw ValidationError("--dimension: \(error).") }
      }
    }
    for specification in horizons {
      try HorizonSpecification.apply(specification, to: &configuration.horizons)
    }
    let shortestHop = configuration.horizons.map(\.hop).min() ?? configuration.allowedLateness
    let allowedLateness = allowedLateness
      ?? DurationArgument(milliseconds: judgesWithinAHop ? shortestHop : configuration.allowedLateness)
    configuration.allowedLateness = allowedLateness.milliseconds
    // A bound below the lateness would call ordinary late-arriving traffic a wrong clock.
    guard maxTimeJump.milliseconds >= max(DetectorConfiguration.Duration.minute, configuration.allowedLateness) else {
      throw ValidationError("--max-time-jump must be at least a minute and at least --allowed-lateness.")
    }
    guard maxKeys >= 1 else { throw ValidationError("--max-keys must be at least 1.") }
    guard (1...100_000).contains(jumpConfirmations) else {
      throw ValidationError("--jump-confirmations must be 1 to 100000.")
    }
    guard configuration.dimensions.count <= Self.mostDimensions,
      Set(configuration.dimensions).count == configuration.dimensions.count
    else {
      throw ValidationError("--dimension: at most \(Self.mostDimensions), each once.")
    }
    let longest = DurationArgument.longestSpan
    for (name, value) in [
      ("--warm-up", warmUp), ("--quiet-period", quietPeriod), ("--relearn-after", relearnAfter),
      ("--max-time-jump", maxTimeJump),
    ] where value.milliseconds > longest.milliseconds {
      throw ValidationError("\(name) may be at most \(longest).")
    }
    // Every key keeps a bucket per hop of its window plus the lateness.
    let longestWindow = configuration.horizons.map(\.window).max() ?? 0
    guard allowedLateness.milliseconds <= longestWindow else {
      throw ValidationError(
        "--allowed-lateness may be at most the longest window (\(DurationArgument(milliseconds: longestWindow))).")
    }
    return configuration
  }
}

/// Parses `--horizon NAME[:key=value,...]`.
enum HorizonSpecification {
  static func apply(_ text: String, to horizons: inout [Horizon]) throws {
    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
    let name = parts.first ?? ""
    guard let window = DurationArgument(argument: name), window.milliseconds > 0,
      window.milliseconds <= DurationArgument.longestSpan.milliseconds
    else {
      throw ValidationError("--horizon '\(text)': the name must be a window length such as 5m or 24h.")
    }
    let existing = horizons.firstIndex { $0.window == window.milliseconds }
    var hop = existing.map { horizons[$0].hop } ?? max(1, window.milliseconds / 5)
    var thresholds = existing.map { horizons[$0].thresholds } ?? horizons.last!.thresholds
    for setting in parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : [] {
      let pair = setting.split(separator: "=", maxSplits: 1).map(String.init)
      guard pair.count == 2 else { throw ValidationError("--horizon '\(text)': '\(setting)' is not key=value.") }
      let (key, value) = (pair[0], pair[1])
      switch key {
      case "hop":
        guard let duration = DurationArgument(argument: value), duration.milliseconds > 0 else {
          throw ValidationError("--horizon '\(text)': hop '\(value)' is not a duration.")
        }
        hop = duration.milliseconds
      case "score", "multiple", "spread":
        guard let number = Double(value), number.isFinite, number >= 0, key != "spread" || number > 0 else {
          throw ValidationError("--horizon '\(text)': \(key) '\(value)' is not a \(key == "spread" ? "positive" : "non-negative") number.")
        }
        if key == "score" { thresholds.score = number }
        else if key == "multiple" { thresholds.multiple = number }
        else { thresholds.spreadFloor = number }
      case "records", "reads":
        guard let number = Int64(value), number >= 0 else {
          throw ValidationError("--horizon '\(text)': \(key) '\(value)' is not a whole number.")
        }
        if key == "records" { thresholds.recordFloor = number } else { thresholds.readFloor = number }
      default:
        throw ValidationError(
          "--horizon '\(text)': unknown setting '\(key)' (known: hop, score, records, reads, multiple, spread).")
      }
    }
    guard window.milliseconds % hop == 0, window.milliseconds / hop <= 64 else {
      throw ValidationError("--horizon '\(text)': the window must be 1 to 64 whole hops.")
    }
    let horizon = Horizon(name: name, window: window.milliseconds, hop: hop, thresholds: thresholds)
    if let existing { horizons[existing] = horizon } else {
      horizons.append(horizon)
      horizons.sort { $0.window < $1.window }
    }
  }
}
