import ExfilWatchDetector
import GRDB

/// A finding as the findings database keeps it: the latest revision of one incident, in the
/// columns people filter and sort on, with the whole OCSF Detection Finding beside them.
///
/// The numbers are the evidence's (the incident's strongest window), so a row says at a glance
/// who read how much against what normal; everything else is in `json`.
public struct StoredFinding: Sendable, Equatable {
  /// The incident's stable id (`exw-` and 16 hex digits).
  public var id: String
  /// The revision stored: 1 for the create, counting up with each update and the close.
  public var version: Int
  /// When the detector decided this revision (event time, epoch ms).
  public var time: Int64
  /// The earliest and latest event time of the incident's flagged reads (epoch ms).
  public var firstSeenTime: Int64
  public var lastSeenTime: Int64
  public var severity: Finding.Severity
  public var activity: Finding.Activity
  /// The analytic that flagged the key, e.g. `bulk_read_by_client`.
  public var analytic: String
  /// The evidence's dimension (`actor`, `client`, `source_ip`, `actor+object`) and key.
  public var dimension: String
  public var key: String
  /// The evidence window's horizon: `5m`, `1h`, `24h`.
  public var horizon: String
  /// Records read, and read events, in the evidence window.
  public var records: Int64
  public var reads: Int64
  /// The key's typical busiest window of a day, in records.
  public var baselineRecords: Double
  /// How far above the baseline, in robust standard units.
  public var score: Double
  public var tenant: String?
  public var title: String
  public var description: String
  /// The revision's OCSF Detection Finding, compact JSON on one line.
  public var json: String

  init(_ finding: Finding, json: String) {
    let evidence = finding.evidence
    id = finding.id
    version = finding.revision
    time = finding.time
    firstSeenTime = finding.firstSeenTime
    lastSeenTime = finding.lastSeenTime
    severity = finding.severity
    activity = finding.activity
    analytic = finding.analytic
    dimension = evidence.dimension
    key = evidence.key
    horizon = evidence.horizon
    records = evidence.records
    reads = evidence.reads
    baselineRecords = evidence.baselineRecords
    score = evidence.score
    tenant = finding.tenant
    title = finding.title
    self.description = finding.description
    self.json = json
  }

  // MARK: - Columns

  /// The `findings` columns, in the order of `databaseValues`.
  static let columns = [
    "id", "version", "time", "first_seen", "last_seen", "severity", "severity_id", "activity",
    "analytic", "dimension", "key", "horizon", "records", "reads", "baseline", "score", "tenant",
    "title", "description", "json",
  ]

  var databaseValues: StatementArguments {
    [
      id, version, time, firstSeenTime, lastSeenTime, severity.name, severity.rawValue,
      activity.caption, analytic, dimension, key, horizon, records, reads, baselineRecords, score,
      tenant, title, description, json,
    ]
  }

  /// Reads a row selected with `columns`; nil when its severity or activity is not one this
  /// version knows.
  init?(row: Row) {
    let activityCaption: String = row["activity"]
    guard let severity = Finding.Severity(rawValue: row["severity_id"]),
      let activity = Finding.Activity.allCases.first(where: { $0.caption == activityCaption })
    else { return nil }
    id = row["id"]
    version = row["version"]
    time = row["time"]
    firstSeenTime = row["first_seen"]
    lastSeenTime = row["last_seen"]
    self.severity = severity
    self.activity = activity
    analytic = row["analytic"]
    dimension = row["dimension"]
    key = row["key"]
    horizon = row["horizon"]
    records = row["records"]
    reads = row["reads"]
    baselineRecords = row["baseline"]
    score = row["score"]
    tenant = row["tenant"]
    title = row["title"]
    description = row["description"]
    json = row["json"]
  }
}
