/// An integration user that copies the day's changes out of the org every night, through its
/// own connected app from a fixed data-centre address: the biggest normal reads of the org,
/// which a detector must learn are routine.
struct IntegrationProfile {
  struct Template {
    let username: String
    let sourceIP: String
    let application: String
    let clientName: String
    let userAgent: String
    /// UTC minute of the night the job starts.
    let startMinute: Int
    /// Entities read, in order, and the rows changed per agent on a normal weekday.
    let reads: [(entity: Entity, rowsPerAgent: ClosedRange<Int>)]
    /// Picks the SOQL column list (`QueryText.integrationDelta`).
    let variant: Int
  }

  let template: Template
  let principal: Int32

  /// The ETL of SampleLogs (Contact deltas at 02:00 UTC in 2000-row pages) plus Account and
  /// Case, and a data-warehouse loader later in the night.
  static let nightly: [Template] = [
    Template(
      username: "etl.integration@example-air.com", sourceIP: "192.0.2.40",
      application: "ETL Sync", clientName: "vendor/etl_sync",
      userAgent: "etl-sync/3.8.2 (Java/17.0.11)", startMinute: 2 * 60,
      reads: [(.contact, 60...110), (.account, 10...30), (.supportCase, 40...90)], variant: 0),
    Template(
      username: "dwh.loader@example-air.com", sourceIP: "192.0.2.41",
      application: "Warehouse Loader", clientName: "vendor/dwh_loader",
      userAgent: "dwh-loader/1.14.0 (Python/3.12.4)", startMinute: 4 * 60 + 30,
      reads: [(.supportCase, 50...100), (.contact, 30...60)], variant: 1),
  ]
}

extension IntegrationProfile {
  /// The integration's nightly runs over the whole window, one night's plan at a time.
  ///
  /// A night's delta follows the previous day's work: smaller after a weekend day, bigger in
  /// the surge, and varying 20% from night to night.
  func activity(organisation: Organisation, index: Int) -> ScriptedReads {
    let options = organisation.options
    var random = SimulationRandom(seed: options.seed, stream: .integration(index))
    var day = options.firstDay
    var queued: [ReadPlan] = []
    let template = template
    let principal = principal
    let plans = AnyIterator<ReadPlan> {
      while queued.isEmpty {
        guard day < options.firstDay + options.days else { return nil }
        let nightStart = Int64(day) * Milliseconds.day + Int64(template.startMinute) * Milliseconds.minute
        let session = random.next() | 1
        let activity = organisation.calendar.activityFactor(day: day - 1)
        for (order, read) in template.reads.enumerated() {
          let perAgent = Double(random.int(read.rowsPerAgent)) * random.logNormal(median: 1, sigma: 0.2)
          let rows = max(1, Int64(perAgent * activity * Double(options.agents)))
          queued.append(
            ReadPlan(
              start: order == 0
                ? .at(nightStart + random.int64(1_000...600_000)) : .afterPrevious(20_000...90_000),
              principal: principal, session: session, entity: read.entity,
              query: .integrationDelta(
                read.entity, since: nightStart - Milliseconds.day, variant: template.variant),
              rows: rows))
        }
        day += 1
      }
      return queued.removeFirst()
    }
    return ScriptedReads(
      random: SimulationRandom(seed: options.seed, stream: .integration(index + 1_000)), plans: plans)
  }
}
