import ExfilWatchTestSupport
import Foundation
import Testing

/// Every simulated attack is found, and normal traffic is left alone: the acceptance of the
/// detector at a size the suite can afford (the full size, 30 days and 500 agents at seeds 1-5,
/// is `Benchmarks/detection-quality.py`).
@Suite struct DetectionQualityTests {
  static let days = 14
  static let agents = 60

  /// Simulates `scenario` and replays it; the labels' attack and the findings.
  func run(_ scenario: String, seed: Int = 1) throws -> (labels: [String: Any]?, findings: [[String: Any]]) {
    let directory = try TemporaryDirectory()
    let logs = directory.path("logs")
    _ = try runToolChecked(
      exfilwatchExecutable,
      ["simulate", "--scenario", scenario, "--out", logs, "--days", "\(Self.days)", "--agents", "\(Self.agents)", "--seed", "\(seed)"])
    let sink = directory.path("findings.jsonl")
    let result = try runTool(exfilwatchExecutable, ["replay", "--quiet", "--sink", "jsonl:\(sink)", logs])
    #expect([0, 1].contains(result.status), "\(result.standardError)")
    let labels = try JSONSerialization.jsonObject(with: Data(readBytes(logs + "/labels.json"))) as? [String: Any]
    let attack = (labels?["attacks"] as? [[String: Any]])?.first
    let findings = result.status == 1 ? try ReplayCommandTests.findings(sink) : []
    return (attack, findings)
  }

  /// The values a finding names: its flagged keys and its evidence's top actor, client and IP.
  func named(_ finding: [String: Any]) -> Set<String> {
    let details = ReplayCommandTests.exfilwatch(finding)
    var names = Set((details["keys"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String })
    for field in ["actors", "clients", "source_ips"] {
      if let top = (details[field] as? [[String: Any]])?.first?["name"] as? String { names.insert(top) }
    }
    return names
  }

  @Test(arguments: ["connected-app-exfil", "compromised-agent", "low-and-slow", "spread-thin"])
  func attackIsFoundAndNamed(scenario: String) throws {
    let (attack, findings) = try run(scenario)
    let labels = try #require(attack)
    var attacker = Set(labels["actors"] as? [String] ?? []).union(labels["actorIds"] as? [String] ?? [])
    attacker.formUnion(labels["sourceIPs"] as? [String] ?? [])
    if scenario == "connected-app-exfil" || scenario == "spread-thin" { attacker.insert(labels["client"] as? String ?? "") }
    let matching = findings.filter { !named($0).isDisjoint(with: attacker) }
    #expect(!matching.isEmpty, "no finding names \(attacker)")
    let incidents = Set(findings.compactMap { ($0["finding_info"] as? [String: Any])?["uid"] as? String })
    let attackIncidents = Set(matching.compactMap { ($0["finding_info"] as? [String: Any])?["uid"] as? String })
    #expect(incidents.subtracting(attackIncidents).count <= 1, "false incidents beside the attack")
  }

  @Test func baselineHasAtMostOneFalseIncident() throws {
    let (_, findings) = try run("baseline")
    let incidents = Set(findings.compactMap { ($0["finding_info"] as? [String: Any])?["uid"] as? String })
    #expect(incidents.count <= 1)
  }
}
