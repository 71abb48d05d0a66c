import ExfilWatchDetector
import ExfilWatchEvent
import Testing

/// A finding with a short name for test output (the whole finding is too long to print).
struct SampleFinding: Sendable, CustomTestStringConvertible {
  var label: String
  var finding: Finding

  var testDescription: String { label }
}

/// Findings shaped like the detector's, built by hand so every branch of the encoders is
/// reached: each activity and severity, with and without tenant and format, empty breakdowns,
/// placeholder tallies, IPv6, text that needs escaping, a zero baseline.
enum SampleFindings {
  /// A Data Loader pull: 612,000 Contact and Account records in a 5-minute window.
  static func evidence(
    metric: WindowEvidence.Metric = .records,
    score: Double = 14.23,
    multiple: Double = 1800.4,
    baselineRecords: Double = 340.2,
    judgedAgainstPeers: Bool = false,
    actors: [Tally] = [
      Tally(name: "svc.sync@acme.example", uid: "0055g00000AbCdE", records: 600_000, reads: 590),
      Tally(name: "agent7@acme.example", uid: "0055g00000XyZ12", records: 12_000, reads: 22),
    ],
    clients: [Tally] = [
      Tally(name: "Data Loader", uid: "0H45g000000XyZ", records: 612_000, reads: 612)
    ],
    sourceIPs: [Tally] = [
      Tally(name: "203.0.113.7", records: 611_000, reads: 600),
      Tally(name: "198.51.100.23", records: 1_000, reads: 12),
    ],
    objects: [Tally] = [
      Tally(name: "Contact", records: 600_000, reads: 580),
      Tally(name: "Account", records: 12_000, reads: 32),
    ]
  ) -> WindowEvidence {
    WindowEvidence(
      dimension: "client", key: "Data Loader", horizon: "5m",
      windowStart: 1_751_663_400_000, windowEnd: 1_751_663_700_000, metric: metric,
      records: 612_000, reads: 612, baselineRecords: baselineRecords, baselineReads: 3.5,
      busiestRecords: baselineRecords * 2, busiestReads: 7,
      score: score, multiple: multiple, judgedAgainstPeers: judgedAgainstPeers,
      firstEventTime: 1_751_663_401_250, lastEventTime: 1_751_663_699_999,
      actors: actors, clients: clients, sourceIPs: sourceIPs, objects: objects,
      sampleEventIDs: ["e-0001", "e-0002"],
      sampleSources: ["logs/ApiEvent-2025-07-04.jsonl.zst:1041", "logs/ApiEvent-2025-07-04.jsonl.zst:1042"],
      recentWindowRecords: [310, 402, 288, 612_000])
  }

  static func finding(
    activity: Finding.Activity = .create,
    severity: Finding.Severity = .high,
    revision: Int = 1,
    description: String = "Client Data Loader read 612,000 records in 5m (typical 340, 1800x)",
    tenant: String? = "00D5g000004XyZ1",
    format: LogFormat? = .salesforceRTEM,
    evidence: WindowEvidence = evidence()
  ) -> Finding {
    Finding(
      id: "exw-1f3a9c0e2b7d4e51", revision: revision, activity: activity, severity: severity,
      time: 1_751_663_760_000, firstSeenTime: 1_751_663_401_250, lastSeenTime: 1_751_663_699_999,
      title: "Bulk record reads far above the client's baseline", description: description,
      analytic: "bulk_read_by_client",
      keys: [
        FlaggedKey(dimension: "client", value: "Data Loader", horizons: ["5m", "1h"]),
        FlaggedKey(dimension: "actor", value: "0055g00000AbCdE", horizons: ["1h"]),
      ],
      evidence: evidence, tenant: tenant, format: format)
  }

  /// Every shape of finding the encoders must turn into valid OCSF.
  static let varied: [SampleFinding] = [
    SampleFinding(label: "create, high", finding: finding()),
    SampleFinding(
      label: "update, medium, no tenant, no format",
      finding: finding(activity: .update, severity: .medium, revision: 2, tenant: nil, format: nil)),
    SampleFinding(
      label: "close, low", finding: finding(activity: .close, severity: .low, revision: 3, format: .okta)),
    SampleFinding(
      label: "critical, read events crossed",
      finding: finding(severity: .critical, evidence: evidence(metric: .reads))),
    SampleFinding(
      label: "empty breakdowns",
      finding: finding(evidence: evidence(actors: [], clients: [], sourceIPs: [], objects: []))),
    SampleFinding(
      label: "placeholder tallies only",
      finding: finding(
        evidence: evidence(
          actors: [none, other],
          clients: [other],
          sourceIPs: [none, other],
          objects: [other]))),
    SampleFinding(
      label: "an (other) tail after real values",
      finding: finding(
        evidence: evidence(
          sourceIPs: [
            Tally(name: "Salesforce.com IP", records: 500, reads: 5),
            Tally(name: "203.0.113.7", records: 400, reads: 4),
            other,
          ],
          objects: [Tally(name: "Contact", records: 800, reads: 8), other]))),
    SampleFinding(
      label: "IPv6 addresses",
      finding: finding(
        evidence: evidence(sourceIPs: [
          Tally(name: "2001:db8::7", records: 611_000, reads: 600),
          Tally(name: "::ffff:192.0.2.1", records: 1_000, reads: 12),
        ]))),
    SampleFinding(
      label: "low score, judged against peers",
      finding: finding(evidence: evidence(score: 3.2, multiple: 12, judgedAgainstPeers: true))),
    SampleFinding(
      label: "text that needs escaping",
      finding: finding(
        description: "Actor \"x\"\nread\tmany \\ records — Überweisung 📤",
        evidence: evidence(actors: [Tally(name: "evil\u{1B}[2J\"user", records: 5, reads: 1)]))),
    SampleFinding(
      label: "zero baseline",
      finding: finding(evidence: evidence(multiple: .infinity, baselineRecords: 0))),
  ]

  /// The sample with this label.
  static func named(_ label: String) throws -> Finding {
    try #require(varied.first { $0.label == label }).finding
  }

  private static let other = Tally(name: Tally.otherName, records: 100, reads: 3)
  private static let none = Tally(name: Tally.noneName, records: 9, reads: 1)
}
