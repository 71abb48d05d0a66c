import ExfilWatchSimulator
import ExfilWatchTestSupport
import Testing

@Suite("a simulation is a function of its options")
struct DeterminismTests {
  @Test("the same seed writes byte-identical files", arguments: SimulationFormat.allCases)
  func sameSeedSameBytes(format: SimulationFormat) throws {
    let options = smallOptions(.connectedAppExfil, format: format, days: 3, agents: 30)
    let first = try WrittenSimulation(options)
    let second = try WrittenSimulation(options)
    #expect(first.report.files.map(fileName) == second.report.files.map(fileName))
    for (one, other) in zip(first.report.files, second.report.files) {
      #expect(try readBytes(one) == readBytes(other), "\(fileName(one))")
    }
    #expect(try readBytes(first.report.labelsPath) == readBytes(second.report.labelsPath))
    #expect(first.report.events == second.report.events)
  }

  @Test("another seed writes other logs and another attack", arguments: SimulationFormat.allCases)
  func otherSeedOtherBytes(format: SimulationFormat) throws {
    let first = try WrittenSimulation(smallOptions(.connectedAppExfil, format: format, seed: 1, days: 3, agents: 30))
    let second = try WrittenSimulation(smallOptions(.connectedAppExfil, format: format, seed: 2, days: 3, agents: 30))
    for (one, other) in zip(first.report.files, second.report.files) {
      #expect(try readBytes(one) != readBytes(other))
    }
    #expect(first.labels.attacks != second.labels.attacks)
  }

  @Test("an attack only adds records: the rest of the text is baseline's, line for line")
  func attackOnlyAddsLines() throws {
    let baseline = try WrittenSimulation(smallOptions(.baseline, days: 3, agents: 30))
    let attacked = try WrittenSimulation(smallOptions(.spreadThin, days: 3, agents: 30))
    var added = 0
    for (normal, withAttack) in zip(baseline.report.files, attacked.report.files) {
      let normalLines = try lines(normal)
      let attackLines = try lines(withAttack)
      #expect(attackLines.filter { !$0.contains("Salesforce-Multi-Org-Reporting-Connector") } == normalLines)
      added += attackLines.count - normalLines.count
    }
    #expect(added == attacked.labels.attacks[0].events)
  }

  private func fileName(_ path: String) -> Substring {
    path.split(separator: "/").last ?? ""
  }

  private func lines(_ path: String) throws -> [Substring] {
    let text = try runToolChecked("zstd", ["-dc", path])
    return String(decoding: text, as: UTF8.self).split(separator: "\n")
  }
}
