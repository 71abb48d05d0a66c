import ExfilWatchDetector
import ExfilWatchReport
import ExfilWatchSinks
import ExfilWatchTestSupport
import Foundation
import Testing

/// The report reads what the jsonl sink wrote (the real OCSF encoder's lines) and shows it
/// without letting a value from the logs become markup.
@Suite struct HTMLReportTests {
  private static let minute: Int64 = 60_000

  /// An incident on `key`, its window ending at `end`, the recent series ending with it.
  private static func finding(revision: Int, activity: Finding.Activity, key: String, end: Int64, series: [Int64]) -> Finding {
    let evidence = WindowEvidence(
      dimension: "actor", key: key, horizon: "5m", windowStart: end - 5 * minute, windowEnd: end, metric: .records,
      records: series.last!, reads: 40, baselineRecords: 30, baselineReads: 4, busiestRecords: 45, busiestReads: 6,
      score: 11.3, multiple: 233, judgedAgainstPeers: false, firstEventTime: end - 4 * minute, lastEventTime: end - 1,
      actors: [Tally(name: key, uid: "005<b>", records: series.last!, reads: 40)],
      clients: [Tally(name: "Evil \"App\" & co", records: series.last!, reads: 40)],
      sourceIPs: [Tally(name: "198.51.100.169", records: series.last!, reads: 40)],
      objects: [Tally(name: "Contact", records: series.last!, reads: 40)],
      sampleEventIDs: ["e-1"], sampleSources: ["logs/a.jsonl:12"], recentWindowRecords: series, hop: minute)
    return Finding(
      id: "exw-00000000000000aa", revision: revision, activity: activity, severity: .high, time: end + minute,
      firstSeenTime: end - 4 * minute, lastSeenTime: end - 1, title: "Bulk reads far above the actor's baseline",
      description: "actor \(key) read \(series.last!) records", analytic: "bulk_read_by_actor",
      keys: [FlaggedKey(dimension: "actor", value: key, horizons: ["5m"])], evidence: evidence, tenant: nil,
      format: .salesforceRTEM)
  }

  private static func write(_ findings: [Finding], in directory: TemporaryDirectory) throws -> String {
    let encoder = OCSFDetectionFindingEncoder(productVersion: "0.1.0")
    return try directory.write("findings.jsonl", findings.flatMap { encoder.encode($0) + [0x0A] })
  }

  @Test("revisions are grouped into one incident at its latest revision; a repeated line counts once")
  func groupsRevisions() throws {
    let directory = try TemporaryDirectory()
    let end: Int64 = 1_749_052_980_000
    let first = Self.finding(revision: 1, activity: .create, key: "s.velasco", end: end, series: [3, 20, 10_018])
    let second = Self.finding(revision: 2, activity: .update, key: "s.velasco", end: end + 2 * Self.minute,
      series: [3, 20, 10_018, 16_018, 22_018])
    let path = try Self.write([first, second, second], in: directory)
    let incidents = ReportedIncident.group(try ReportedFinding.read(path: path))
    #expect(incidents.count == 1)
    #expect(incidents[0].revisions.map(\.revision) == [1, 2])
    #expect(incidents[0].latest.evidence.records == 22_018)
    #expect(incidents[0].charted.count == 1)
    #expect(incidents[0].charted.first?.flaggedWindowEnds == [end, end + 2 * Self.minute])
    #expect(incidents[0].charted.first?.evidence.recentWindowRecords.count == 5)
  }

  @Test("the chart marks the flagged windows, dated by the horizon's hop, and the page holds no markup from the logs")
  func rendersSafely() throws {
    let directory = try TemporaryDirectory()
    let end: Int64 = 1_749_052_980_000
    let key = "<script>alert('x')</script>@example.com"
    let path = try Self.write([
      Self.finding(revision: 1, activity: .create, key: key, end: end, series: [3, 20, 10_018]),
      Self.finding(revision: 2, activity: .close, key: key, end: end + 2 * Self.minute, series: [3, 20, 10_018, 13, 22_018]),
    ], in: directory)
    let incidents = ReportedIncident.group(try ReportedFinding.read(path: path))
    // The hop comes from the findings themselves; the table of default horizons is not needed.
    let page = HTMLReport(incidents: incidents, source: "findings.jsonl", hops: [:]).render()
    #expect(!page.contains("<script"))
    #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;@example.com"))
    #expect(page.contains("Evil &quot;App&quot; &amp; co"))
    #expect(page.contains("005&lt;b&gt;"))
    // Five bars, two of them (the windows of revisions 1 and 2) flagged.
    #expect(page.components(separatedBy: "class=\"bar flagged\"").count - 1 == 2)
    #expect(page.components(separatedBy: "class=\"bar\"").count - 1 == 3)
    #expect(page.contains("window ending 2025-06-04T16:03:00Z: 10,018 records"))
    #expect(page.contains("Content-Security-Policy\" content=\"default-src 'none'"))
    #expect(!page.contains("src=") && !page.contains("http://") && !page.contains("https://"))
    #expect(page.contains(", closed"))
  }

  @Test("a line that is not a finding is an error naming the file and line")
  func namesBadLines() throws {
    let directory = try TemporaryDirectory()
    let good = try Self.write([Self.finding(revision: 1, activity: .create, key: "a", end: 1_749_052_980_000, series: [1])], in: directory)
    let text = try String(contentsOfFile: good, encoding: .utf8)
    let path = try directory.write("mixed.jsonl", Array((text + "{\"class_uid\":2004}\n").utf8))
    #expect {
      _ = try ReportedFinding.read(path: path)
    } throws: { error in
      "\(error)" == "\(path):2: not an ExfilWatch finding: no finding_info"
    }
    let hugeText = text.replacingOccurrences(of: "\"recent_window_records\":[1]", with: "\"recent_window_records\":[9000000000000000000]")
    #expect(hugeText != text)
    let huge = try directory.write("huge.jsonl", Array(hugeText.utf8))
    #expect {
      _ = try ReportedFinding.read(path: huge)
    } throws: { error in
      "\(error)".hasPrefix("\(huge):1: not an ExfilWatch finding: a number out of range")
    }
    let garbage = try directory.write("garbage.jsonl", Array("not json\n".utf8))
    #expect(throws: ReportInputError.self) { _ = try ReportedFinding.read(path: garbage) }
  }
}
