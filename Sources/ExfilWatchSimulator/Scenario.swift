import ExfilWatchEvent

/// What a simulation injects into a contact centre's normal traffic.
public enum Scenario: String, CaseIterable, Sendable {
  /// Normal traffic only: the false-finding test.
  case baseline
  /// The 2025 campaign: a vished agent authorises a look-alike Data Loader connected app, which
  /// counts, samples, then pulls every Contact, Account and Case from a VPN address in a few
  /// hours.
  case connectedAppExfil = "connected-app-exfil"
  /// An agent's own console session reads about 50 times the agent's normal daily volume in a
  /// few hours (a RAT on the workstation, or a rogue insider).
  case compromisedAgent = "compromised-agent"
  /// An agent's session reads an extra 2-3 times the agent's normal volume, spread over every
  /// shift for a week, in queries the size of normal ones.
  case lowAndSlow = "low-and-slow"
  /// One connected app reads through several agents' OAuth tokens, each token staying under a
  /// per-actor floor (5,000 records), from a few VPN addresses.
  case spreadThin = "spread-thin"

  /// One line for `--help`.
  public var summary: String {
    switch self {
    case .baseline: "normal traffic only"
    case .connectedAppExfil: "a new Data Loader app bulk-reads Contact/Account/Case from a VPN IP"
    case .compromisedAgent: "an agent's own session reads ~50x its normal volume"
    case .lowAndSlow: "an agent reads an extra 2-3x its normal volume every day for a week"
    case .spreadThin: "one app reads through several agents' tokens, each under 5,000 records"
    }
  }

  /// The smallest workforce the scenario can be staged in (victims must be on shift, and
  /// spread-thin needs several of them).
  public var minimumAgents: Int { self == .baseline ? 1 : 10 }

  /// Attacks need at least one day of normal traffic before them.
  public var minimumDays: Int { self == .baseline ? 1 : 2 }
}

/// The log format a simulation writes.
public enum SimulationFormat: String, CaseIterable, Sendable {
  /// Salesforce Real-Time Event Monitoring `ApiEvent` (and `ReportEvent`) JSON lines.
  case salesforceRTEM = "sf-rtem"
  /// Salesforce Event Log File CSV: `API` rows (and `Report` rows).
  case salesforceELF = "sf-elf"

  /// `ApiEvent-2025-06-01.jsonl.zst`, `API-2025-06-01.csv.zst`.
  func fileName(for date: CivilDate) -> String {
    switch self {
    case .salesforceRTEM: "ApiEvent-\(date).jsonl.zst"
    case .salesforceELF: "API-\(date).csv.zst"
    }
  }
}

/// Everything that decides a simulation's bytes.
public struct SimulationOptions: Sendable, Equatable {
  public var scenario: Scenario
  public var seed: UInt64
  public var days: Int
  public var agents: Int
  public var format: SimulationFormat
  /// The first simulated day (UTC); the simulation covers `days` whole UTC days from it.
  public var start: CivilDate

  public static let defaultStart = CivilDate(year: 2025, month: 6, day: 1)
  public static let dayLimit = 3660
  public static let agentLimit = 100_000

  public init(
    scenario: Scenario, seed: UInt64 = 1, days: Int = 30, agents: Int = 500,
    format: SimulationFormat = .salesforceRTEM, start: CivilDate = defaultStart
  ) {
    self.scenario = scenario
    self.seed = seed
    self.days = days
    self.agents = agents
    self.format = format
    self.start = start
  }

  /// Why these options cannot be simulated, or nil when they can.
  public var problem: String? {
    if days < scenario.minimumDays || days > Self.dayLimit {
      return "--days must be between \(scenario.minimumDays) and \(Self.dayLimit) for "
        + "\(scenario.rawValue)"
    }
    if agents < scenario.minimumAgents || agents > Self.agentLimit {
      return "--agents must be between \(scenario.minimumAgents) and \(Self.agentLimit) for "
        + "\(scenario.rawValue)"
    }
    if start.year < 1971 || start.year > 9000 { return "--start must be a year between 1971 and 9000" }
    return nil
  }

  var firstDay: Int { start.daysSinceEpoch }
  var windowStart: Int64 { Int64(firstDay) * Milliseconds.day }
  var windowEnd: Int64 { windowStart + Int64(days) * Milliseconds.day }
}
