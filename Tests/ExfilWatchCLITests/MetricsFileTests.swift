import ExfilWatchTestSupport
import Foundation
import Testing

/// `--metrics-file` of cron scans: a node_exporter textfile that says what each run did and
/// whether it succeeded.
@Suite struct MetricsFileTests {
  @Test("scan writes its counts, findings by severity and success; a failed input makes success 0")
  func scanWritesMetrics() throws {
    let directory = try TemporaryDirectory()
    let prom = directory.path("exfilwatch.prom")
    let files = try FileManager.default.contentsOfDirectory(atPath: ScanStateTests.week)
      .filter { $0.hasSuffix(".zst") }.map { "\(ScanStateTests.week)/\($0)" }
    let stored = try files.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: $1)[.size] as! NSNumber).intValue }
    let arguments = [
      "scan", "--state", directory.path("scan.state"), "--sink", "jsonl:\(directory.path("findings.jsonl"))",
      "--metrics-file", prom, ScanStateTests.week,
    ]
    let scan = try runTool(exfilwatchExecutable, arguments)
    #expect(scan.status == 1, "\(scan.standardError)")
    let metrics = try PrometheusText(String(contentsOfFile: prom, encoding: .utf8))
    let events = try runTool(exfilwatchExecutable, ["events", "--count"] + files)
    let counted = try #require(events.outputText.split(separator: "\n").last { $0.hasPrefix("total:") })
    let total = try #require(counted.split(separator: " ").dropFirst(3).first.flatMap { Int($0) })
    #expect(metrics.value("exfilwatch_events_total", ["format": "sf-rtem"]) == Double(total), "\(counted)")
    #expect(metrics.value("exfilwatch_read_bytes_total") == Double(stored))
    let findings = metrics.samples.filter { $0.name == "exfilwatch_findings_total" }
    #expect(findings.count == 4)
    #expect(findings.map(\.value).reduce(0, +) >= 1)
    #expect(metrics.value("exfilwatch_run_success") == 1)
    #expect((metrics.value("exfilwatch_run_duration_seconds") ?? 0) > 0)
    let finished = try #require(metrics.value("exfilwatch_run_finished_timestamp_seconds"))
    #expect(abs(finished - Date().timeIntervalSince1970) < 600)

    // Nothing new, and a corrupt file (a zstd frame header with its reserved bit set): the run
    // failed, and says so.
    let broken = directory.path("broken.jsonl.zst")
    try Data([0x28, 0xB5, 0x2F, 0xFD, 0x08] + Array(repeating: 0, count: 11)).write(to: URL(fileURLWithPath: broken))
    let second = try runTool(exfilwatchExecutable, arguments + [broken])
    #expect(second.status == 3, "\(second.standardError)")
    let after = try PrometheusText(String(contentsOfFile: prom, encoding: .utf8))
    #expect(after.value("exfilwatch_run_success") == 0)
    #expect(after.value("exfilwatch_events_total", ["format": "sf-rtem"]) == 0)
  }
}
