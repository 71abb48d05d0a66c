import ArgumentParser
import ExfilWatchEvent
import ExfilWatchSimulator

/// `exfilwatch simulate`: writes a simulated contact centre's Salesforce audit logs, with or
/// without an injected attack, and the labels naming the attack, to test detectors against.
struct SimulateCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Write realistic simulated Salesforce audit logs with an injected attack, and its labels.",
    discussion: """
      Simulates an airline contact centre's Salesforce org: agents on shifts in three time \
      zones with their own habits, quieter weekends, a nightly ETL and warehouse load, \
      analysts' report exports (weekly and at month end), and a few days of holiday surge. \
      The scenario's attack is added on top; the normal traffic is the same bytes as \
      `baseline` with the same seed.

      Writes one zstd file per simulated UTC day (ApiEvent-YYYY-MM-DD.jsonl.zst or \
      API-YYYY-MM-DD.csv.zst) and labels.json: the attack's actors, client, source IPs, \
      first and last event time and records read, as the events parser reports them.

      Scenarios:
      \(Scenario.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n"))

      Examples:
        exfilwatch simulate --scenario connected-app-exfil --out sim/
        exfilwatch simulate --scenario baseline --format sf-elf --days 7 --agents 50 --out small/
      """
  )

  @OptionGroup var logging: LoggingOptions

  @Option(help: "The attack to inject (see Scenarios above).")
  var scenario: Scenario

  @Option(help: "Directory to write into (created if missing).")
  var out: String

  @Option(help: "UTC days to simulate.")
  var days = 30

  @Option(help: "Contact-centre agents.")
  var agents = 500

  @Option(help: "Seed: the same options and seed write the same logs.")
  var seed: UInt64 = 1

  @Option(help: "Log format: sf-rtem (ApiEvent JSON lines) or sf-elf (Event Log File CSV).")
  var format: SimulationFormat = .salesforceRTEM

  @Option(help: "First simulated day, YYYY-MM-DD (UTC).")
  var start: String?

  func validate() throws {
    if let start, CivilDate(parsing: start) == nil {
      throw ValidationError("--start must be a date as YYYY-MM-DD, not '\(start)'.")
    }
    if let problem = options.problem { throw ValidationError(problem + ".") }
  }

  private var options: SimulationOptions {
    SimulationOptions(
      scenario: scenario, seed: seed, days: days, agents: agents, format: format,
      start: start.flatMap(CivilDate.init(parsing:)) ?? SimulationOptions.defaultStart)
  }

  func run() throws {
    let report: SimulationReport
    do {
      report = try Simulator(options: options).run(outputDirectory: out)
    } catch {
      Log.error("\(error)")
      throw ExitStatus.outputError.exitCode
    }
    Log.info("\(Self.summary(report))")
  }

  /// `simulate connected-app-exfil (seed 1, sf-rtem): 30 files, 1525784 events, 1.85 GB
  /// decompressed (122.1 MB compressed), labels in sim/labels.json; attack ...`
  static func summary(_ report: SimulationReport) -> String {
    let options = report.labels.options
    var text = "simulate \(options.scenario.rawValue) (seed \(options.seed), \(options.format.rawValue)): "
    text += "\(report.files.count) files, \(report.events) events, "
    text += "\(size(report.decompressedBytes)) decompressed (\(size(report.compressedBytes)) "
    text += "compressed), labels in \(report.labelsPath)"
    guard !report.labels.attacks.isEmpty else { return text + "; no attack" }
    for attack in report.labels.attacks {
      let span = [attack.firstEventTime, attack.lastEventTime].compactMap { $0 }
      text += "; attack \(attack.kind.rawValue): \(attack.actors.count) actor(s) "
      text += "(\(attack.actors.prefix(2).joined(separator: ", "))\(attack.actors.count > 2 ? ", ..." : "")), "
      text += "client \(attack.client), IPs \(attack.sourceIPs.joined(separator: " ")), "
      text += "\(attack.records) records in \(attack.events) events"
      if span.count == 2 { text += ", \(timeText(span[0])) to \(timeText(span[1]))" }
    }
    return text
  }

  /// `1.85 GB`, `36.2 MB` (decimal units, like the throughput figures).
  private static func size(_ bytes: Int64) -> String {
    let (unit, divisor): (String, Int64) = bytes >= 1_000_000_000 ? ("GB", 10_000_000) : ("MB", 100_000)
    let scaled = (bytes + divisor / 2) / divisor
    let decimals = unit == "GB" ? 100 : 10
    let fraction = String(scaled % Int64(decimals))
    let padded = String(repeating: "0", count: (unit == "GB" ? 2 : 1) - fraction.count) + fraction
    return "\(scaled / Int64(decimals)).\(padded) \(unit)"
  }

  /// `2025-06-17T09:41:07Z` (seconds are enough in a summary; labels.json has milliseconds).
  private static func timeText(_ milliseconds: Int64) -> String {
    let day = CivilDate(daysSinceEpoch: Int(milliseconds / 86_400_000))
    let seconds = Int(milliseconds % 86_400_000) / 1000
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(day)T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))Z"
  }
}

extension Scenario: ExpressibleByArgument {}
extension SimulationFormat: ExpressibleByArgument {}
