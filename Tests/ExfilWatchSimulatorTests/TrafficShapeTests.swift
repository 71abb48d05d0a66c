import ExfilWatchEvent
import ExfilWatchSimulator
import Testing

/// The normal traffic has the rhythms a detector must learn: weekdays busier than weekends, a
/// nightly ETL, agents unlike each other, month-end exports and a holiday surge.
@Suite("normal traffic")
struct TrafficShapeTests {
  static let day: Int64 = 86_400_000

  /// Records read per UTC day (days since 1970-01-01).
  static func recordsPerDay(_ events: [ParsedEvent]) -> [Int64: Int64] {
    Dictionary(grouping: events) { $0.time / day }.mapValues { $0.reduce(0) { $0 + $1.records } }
  }

  static func isWeekend(_ day: Int64) -> Bool {
    (day + 3) % 7 >= 5  // 1970-01-01 was a Thursday
  }

  @Test("baseline has no attack, in the report and in labels.json")
  func baselineHasNoAttack() throws {
    let simulation = try WrittenSimulation(smallOptions(.baseline, days: 3))
    #expect(simulation.labels.attacks.isEmpty)
    #expect(simulation.labels.json.contains("\"attacks\": []"))
    let parsed = try simulation.parse()
    #expect(!parsed.events.contains { ($0.sourceIP ?? "").hasPrefix("198.51.100.") })
  }

  @Test("weekdays read more than weekends; a surge of 1.5-2x for a few days", arguments: SimulationFormat.allCases)
  func weeklyRhythmAndSurge(format: SimulationFormat) throws {
    let simulation = try WrittenSimulation(smallOptions(.baseline, format: format, days: 14))
    let perDay = Self.recordsPerDay(try simulation.parse().events)
    let surge = Set(simulation.labels.background.surgeDays.map { Int64($0.daysSinceEpoch) })
    #expect(surge.count == 4)
    func mean(_ days: [Int64]) -> Double {
      Double(days.map { perDay[$0] ?? 0 }.reduce(0, +)) / Double(max(1, days.count))
    }
    let ordinary = perDay.keys.filter { !surge.contains($0) }
    let weekdays = mean(ordinary.filter { !Self.isWeekend($0) })
    let weekends = mean(ordinary.filter(Self.isWeekend))
    #expect(weekdays > 1.5 * weekends, "weekday \(weekdays), weekend \(weekends)")
    let surgeWeekdays = mean(surge.filter { !Self.isWeekend($0) })
    #expect(surgeWeekdays > 1.3 * weekdays && surgeWeekdays < 2.2 * weekdays)
  }

  @Test("the nightly ETL reads thousands of Contacts at 02:00 UTC in Query/QueryMore pages")
  func nightlyETL() throws {
    let simulation = try WrittenSimulation(smallOptions(.baseline, days: 5, agents: 40))
    let etl = try simulation.parse().events.filter { $0.actor == "etl.integration@example-air.com" }
    let nights = Dictionary(grouping: etl) { $0.time / Self.day }
    #expect(nights.count == 5)
    for (_, reads) in nights {
      let hourOfDay = (reads[0].time % Self.day) / 3_600_000
      #expect(hourOfDay == 2)
      #expect(reads.count > 2)
      #expect(reads.reduce(0) { $0 + $1.records } > 1_000)
      #expect(Set(reads.compactMap(\.object)) == ["Contact", "Account", "Case"])
      #expect(reads.allSatisfy { $0.sourceIP == "192.0.2.40" && $0.client?.hasPrefix("0H4") == true })
    }
  }

  @Test("agents differ: the busiest read several times what the quietest do")
  func heavyTailedAgents() throws {
    let simulation = try WrittenSimulation(smallOptions(.baseline, days: 3, agents: 50))
    let agents = try simulation.parse().events.filter { ($0.actor ?? "").hasSuffix("@contact.example-air.com") }
    let perShift = Dictionary(grouping: agents) { $0.session ?? "" }
      .mapValues { $0.reduce(0) { $0 + $1.records } }.values.sorted()
    let tenth = perShift[perShift.count / 10]
    let ninetieth = perShift[perShift.count * 9 / 10]
    #expect(Double(ninetieth) > 2.5 * Double(tenth), "\(tenth) vs \(ninetieth)")
    let queriesPerShift = Dictionary(grouping: agents) { $0.session ?? "" }.values.map(\.count).sorted()
    let median = queriesPerShift[queriesPerShift.count / 2]
    #expect(median >= 50 && median <= 300)
  }

  @Test("analysts export reports on Mondays and at month end", arguments: SimulationFormat.allCases)
  func monthEndExports(format: SimulationFormat) throws {
    var options = smallOptions(.baseline, format: format, days: 8, agents: 30)
    options.start = CivilDate(year: 2025, month: 7, day: 25)
    let simulation = try WrittenSimulation(options)
    #expect(simulation.labels.background.monthEndExportDays == [CivilDate(year: 2025, month: 7, day: 31)])
    let reports = try simulation.parse().events.filter { $0.action == "export" || $0.action == "report" }
    #expect(reports.allSatisfy { $0.sourceIP == "203.0.113.40" && $0.records >= 50 })
    let monthEnd = Int64(CivilDate(year: 2025, month: 7, day: 31).daysSinceEpoch)
    let monday = Int64(CivilDate(year: 2025, month: 7, day: 28).daysSinceEpoch)
    let bigReads = Set(reports.filter { $0.records >= 5_000 }.map { $0.time / Self.day })
    #expect(bigReads.isSubset(of: [monthEnd, monday]) && bigReads.contains(monthEnd))
    if format == .salesforceRTEM {
      let exportDays = Set(reports.filter { $0.action == "export" }.map { $0.time / Self.day })
      #expect(exportDays == [monthEnd, monday])
      #expect(reports.allSatisfy { $0.client == "Lightning" })
    }
  }
}
