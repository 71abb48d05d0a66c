import ExfilWatchEvent

/// A report in the org's catalogue and when analysts run it.
struct ReportDefinition {
  enum Cadence {
    /// Run (viewed) a few times every weekday.
    case daily
    /// Exported on Mondays.
    case weekly
    /// Exported on the last business day of the month.
    case monthEnd
  }

  let name: String
  let entity: Entity
  /// ReportEvent `ColumnHeaders`, as Salesforce writes it: `[Case Number, Subject]`.
  let columnHeaders: [String]
  let summary: Bool
  let cadence: Cadence
  let rows: ClosedRange<Int>

  static let catalogue: [ReportDefinition] = [
    ReportDefinition(
      name: "Open Cases by Queue", entity: .supportCase,
      columnHeaders: ["Queue", "Case Number", "Subject", "Status", "Priority", "Age (Hours)"],
      summary: true, cadence: .daily, rows: 50...1500),
    ReportDefinition(
      name: "Daily Contact Centre KPIs", entity: .supportCase,
      columnHeaders: ["Channel", "Cases Opened", "Cases Closed", "Average Handle Time",
                      "First Contact Resolution", "Escalations", "CSAT"],
      summary: true, cadence: .daily, rows: 200...3000),
    ReportDefinition(
      name: "Weekly Case Export", entity: .supportCase,
      columnHeaders: ["Case Number", "Subject", "Status", "Origin", "Contact Name", "Email", "Phone",
                      "Date/Time Opened", "Date/Time Closed"],
      summary: false, cadence: .weekly, rows: 3000...12000),
    ReportDefinition(
      name: "Loyalty Members Contacted", entity: .contact,
      columnHeaders: ["Contact Name", "Email", "Phone", "Frequent Flyer Number", "Loyalty Tier",
                      "Last Case Date"],
      summary: false, cadence: .weekly, rows: 2000...10000),
    ReportDefinition(
      name: "Monthly Case Volume by Channel", entity: .supportCase,
      columnHeaders: ["Channel", "Case Record Type", "Cases Opened", "Cases Closed", "Backlog",
                      "Average Handle Time"],
      summary: true, cadence: .monthEnd, rows: 5000...20000),
    ReportDefinition(
      name: "Monthly Complaints Detail", entity: .supportCase,
      columnHeaders: ["Case Number", "Subject", "Description", "Contact Name", "Email",
                      "Compensation", "Date/Time Closed"],
      summary: false, cadence: .monthEnd, rows: 5000...25000),
    ReportDefinition(
      name: "Contact Centre Customer List", entity: .contact,
      columnHeaders: ["Contact Name", "Email", "Phone", "Birthdate", "Frequent Flyer Number"],
      summary: false, cadence: .monthEnd, rows: 8000...25000),
  ]
}

/// Analysts at headquarters (Dallas time, weekdays 08:30-17:00): a few report runs a day, the
/// weekly exports on Mondays, and month-end exports on the last business day of the month,
/// all through Lightning (ReportEvent in RTEM, `Report` rows in ELF).
struct AnalystProfile {
  let index: Int
  let principal: Int32
  static let utcOffsetMinutes = -300
}

final class AnalystActivity: ActivitySource {
  private let organisation: Organisation
  private let profile: AnalystProfile
  private var nextDay: Int
  private var pending: [SimulatedEvent] = []
  private var pendingIndex = 0

  init(organisation: Organisation, analyst: AnalystProfile) {
    self.organisation = organisation
    profile = analyst
    nextDay = organisation.localDaysOfWindow.lowerBound
  }

  func next() -> SimulatedEvent? {
    while pendingIndex == pending.count {
      guard nextDay <= organisation.localDaysOfWindow.upperBound else { return nil }
      planDay(nextDay)
      nextDay += 1
    }
    pendingIndex += 1
    return pending[pendingIndex - 1]
  }

  private func planDay(_ day: Int) {
    pending.removeAll(keepingCapacity: true)
    pendingIndex = 0
    guard !WorkCalendar.isWeekend(day) else { return }
    var random = SimulationRandom(seed: organisation.options.seed, stream: .analyst(profile.index, day: day))
    let session = random.next() | 1
    let reports = organisation.reports
    func runs(_ cadence: ReportDefinition.Cadence, count: Int, kind: RecordKind) {
      let choices = reports.indices.filter { reports[$0].cadence == cadence }
      for _ in 0..<count {
        let report = random.element(of: choices)
        let rows = Int64(random.int(reports[report].rows))
        // 08:30-17:00 local.
        let minute = Int64(8 * 60 + 30) + random.int64(0...510) - Int64(AnalystProfile.utcOffsetMinutes)
        pending.append(
          SimulatedEvent(
            time: Int64(day) * Milliseconds.day + minute * Milliseconds.minute + random.int64(0...59_999),
            kind: kind, entity: reports[report].entity, principal: profile.principal,
            session: session, query: .report(index: report), rowsProcessed: rows,
            rowsReturned: rows, totalSize: rows, counted: rows,
            elapsed: Int32(random.int(800...15_000)), noise: random.next()))
      }
    }
    runs(.daily, count: random.int(2...6), kind: .reportRun)
    if CivilDate.weekday(daysSinceEpoch: day) == 0 {
      runs(.weekly, count: random.int(1...2), kind: .reportExport)
    }
    if WorkCalendar.isMonthEnd(day) { runs(.monthEnd, count: random.int(1...3), kind: .reportExport) }
    pending.sort { ($0.time, $0.noise) < ($1.time, $1.noise) }
  }
}
