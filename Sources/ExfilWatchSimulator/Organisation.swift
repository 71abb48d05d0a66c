/// The simulated Salesforce org of an airline's contact centre: its people and programs, the
/// reports they run, and its calendar. Built from the seed alone, before any record is made.
///
/// The principals table is what records refer to; attacks add their own principals (an agent's
/// user behind an attacker's app and address) before generation starts.
final class Organisation {
  let options: SimulationOptions
  /// `ORGANIZATION_ID` (ELF writes its first 15 characters).
  let orgID: [UInt8]
  private(set) var principals: [Principal] = []
  let agents: [AgentProfile]
  let integrations: [IntegrationProfile]
  let analysts: [AnalystProfile]
  /// The "Automated Process" user behind Salesforce-internal calls (ELF only).
  let internalPrincipal: Int32
  let calendar: WorkCalendar
  let reports = ReportDefinition.catalogue
  /// `ReportId` (`00O…`) of each report in `reports`.
  let reportIDs: [[UInt8]]
  /// Every id handed out, so a new one never repeats an old one.
  private var takenIDs: Set<[UInt8]> = []

  init(options: SimulationOptions) {
    self.options = options
    var random = SimulationRandom(seed: options.seed, stream: .organisation)
    orgID = Identifiers.salesforceID(prefix: "00D", random: &random)
    reportIDs = ReportDefinition.catalogue.map { _ in
      Identifiers.salesforceID(prefix: "00O", random: &random)
    }
    var calendarRandom = SimulationRandom(seed: options.seed, stream: .calendar)
    calendar = WorkCalendar(firstDay: options.firstDay, days: options.days, random: &calendarRandom)

    var principals: [Principal] = []
    var taken: Set<[UInt8]> = []
    var usernames: Set<String> = []
    var agents: [AgentProfile] = []
    agents.reserveCapacity(options.agents)
    for index in 0..<options.agents {
      var profileRandom = SimulationRandom(seed: options.seed, stream: .agentProfile(index))
      agents.append(
        AgentProfile.make(
          index: index, random: &profileRandom, usernames: &usernames, userIDs: &taken,
          principals: &principals))
    }
    self.agents = agents

    integrations = IntegrationProfile.nightly.map { template in
      let user = AgentProfile.uniqueID(prefix: "005", random: &random, taken: &taken)
      let app = AgentProfile.uniqueID(prefix: "0H4", random: &random, taken: &taken)
      principals.append(
        Principal(
          username: template.username, userID: user, sourceIP: template.sourceIP,
          client: .integration(
            name: template.application, clientName: template.clientName, appID: app,
            userAgent: template.userAgent)))
      return IntegrationProfile(template: template, principal: Int32(principals.count - 1))
    }

    let analystNames = ["r.okafor", "j.whitfield", "p.hernandez", "l.chen", "s.brennan", "d.moreau"]
    let analystCount = min(analystNames.count, max(2, options.agents / 100))
    analysts = (0..<analystCount).map { index in
      let user = AgentProfile.uniqueID(prefix: "005", random: &random, taken: &taken)
      principals.append(
        Principal(
          username: "\(analystNames[index])@example-air.com", userID: user,
          sourceIP: "203.0.113.40", client: .lightning))
      return AnalystProfile(index: index, principal: Int32(principals.count - 1))
    }

    let automatedProcess = AgentProfile.uniqueID(prefix: "005", random: &random, taken: &taken)
    principals.append(
      Principal(
        username: "autoproc@00d.example-air.com", userID: automatedProcess,
        sourceIP: "Salesforce.com IP", client: .salesforceInternal))
    internalPrincipal = Int32(principals.count - 1)
    self.principals = principals
    takenIDs = taken
  }

  var windowStart: Int64 { options.windowStart }
  var windowEnd: Int64 { options.windowEnd }

  func principal(_ index: Int32) -> Principal { principals[Int(index)] }

  /// Adds an attack's principal and returns its index.
  func addPrincipal(_ principal: Principal) -> Int32 {
    principals.append(principal)
    return Int32(principals.count - 1)
  }

  /// A Salesforce id never handed out before in this org (a new connected app's id).
  func newID(prefix: StaticString, random: inout SimulationRandom) -> [UInt8] {
    AgentProfile.uniqueID(prefix: prefix, random: &random, taken: &takenIDs)
  }
}
