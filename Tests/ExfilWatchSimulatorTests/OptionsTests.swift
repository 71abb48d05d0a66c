import ExfilWatchEvent
import ExfilWatchSimulator
import Testing

@Suite("options and dates")
struct OptionsTests {
  @Test("options outside the limits are refused before anything is written")
  func invalidOptions() {
    #expect(SimulationOptions(scenario: .baseline).problem == nil)
    #expect(SimulationOptions(scenario: .baseline, days: 1, agents: 1).problem == nil)
    #expect(SimulationOptions(scenario: .baseline, days: 0).problem != nil)
    #expect(SimulationOptions(scenario: .spreadThin, days: 1).problem != nil)
    #expect(SimulationOptions(scenario: .spreadThin, agents: 9).problem != nil)
    #expect(SimulationOptions(scenario: .lowAndSlow, agents: 1_000_000).problem != nil)
    #expect(throws: SimulationError.self) {
      try Simulator(options: SimulationOptions(scenario: .connectedAppExfil, days: 1))
    }
  }

  @Test("dates: YYYY-MM-DD only, real dates only, and back")
  func civilDates() {
    #expect(CivilDate(parsing: "2025-06-01") == CivilDate(year: 2025, month: 6, day: 1))
    #expect(CivilDate(parsing: "2025-06-01")?.daysSinceEpoch == 20_240)
    #expect(CivilDate(parsing: "2024-02-29") != nil)
    for text in ["2025-02-29", "2025-13-01", "2025-6-1", "20250601", "2025-06-01T00:00", ""] {
      #expect(CivilDate(parsing: text) == nil, "\(text)")
    }
    for days in stride(from: -800_000, through: 2_900_000, by: 997) {
      #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
    }
    #expect(CivilDate(daysSinceEpoch: 20_240).description == "2025-06-01")
  }

  @Test("every scenario has a name for the command line and a summary")
  func scenarioNames() {
    #expect(Scenario.allCases.map(\.rawValue) == [
      "baseline", "connected-app-exfil", "compromised-agent", "low-and-slow", "spread-thin",
    ])
    #expect(Scenario.allCases.allSatisfy { !$0.summary.isEmpty })
    #expect(SimulationFormat.allCases.map(\.rawValue) == ["sf-rtem", "sf-elf"])
  }
}
