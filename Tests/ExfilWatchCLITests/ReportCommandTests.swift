import ExfilWatchTestSupport
import Foundation
import Testing

/// `exfilwatch report` over what `replay` wrote for the bundled attack.
@Suite struct ReportCommandTests {
  @Test("the attack's findings make one page with a section and charts per incident; a bad file is exit 2 naming its line")
  func reportsReplayedFindings() throws {
    let directory = try TemporaryDirectory()
    let findings = directory.path("findings.jsonl")
    let page = directory.path("report.html")
    let replay = try runTool(exfilwatchExecutable, ["replay", "--quiet", "--sink", "jsonl:\(findings)", ScanStateTests.week])
    #expect(replay.status == 1, "\(replay.standardError)")
    let report = try runTool(exfilwatchExecutable, ["report", findings, "--html", page])
    #expect(report.status == 0, "\(report.standardError)")

    let lines = try String(contentsOfFile: findings, encoding: .utf8).split(separator: "\n")
    let ids = Set(try lines.map { line in
      let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      return try #require((object["finding_info"] as? [String: Any])?["uid"] as? String)
    })
    #expect(!ids.isEmpty)
    let html = try String(contentsOfFile: page, encoding: .utf8)
    #expect(html.components(separatedBy: "<section id=").count - 1 == ids.count)
    for id in ids { #expect(html.contains("<section id=\"\(id)\">")) }
    #expect(html.contains("class=\"bar flagged\""))
    #expect(report.standardError.contains("\(ids.count) incident(s), \(lines.count) finding revision(s)"))

    try Data("{}\n".utf8).write(to: URL(fileURLWithPath: findings), options: .atomic)
    let broken = try runTool(exfilwatchExecutable, ["report", findings, "--html", page])
    #expect(broken.status == 2)
    #expect(broken.standardError.contains("\(findings):1: not an ExfilWatch finding"), "\(broken.standardError)")
  }
}
