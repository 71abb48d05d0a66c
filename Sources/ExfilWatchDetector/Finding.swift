import ExfilWatchEvent

/// One emission of an incident: what the detector tells the sinks.
///
/// An incident (one attack, seen on its actor, client app and IP, in several horizons) keeps
/// one `id` for its life; each emission is a new `revision` with an `activity` saying whether
/// the incident opened, grew or closed, so sinks that upsert by id see one finding per attack.
/// Everything here is plain text and numbers (no symbols), so a finding outlives the run's
/// symbol table and can be written, stored and compared as it is.
public struct Finding: Sendable, Equatable, Codable {
  /// What this emission does to the incident, as OCSF `activity_id` numbers it.
  public enum Activity: Int, Sendable, Equatable, CaseIterable, Codable {
    case create = 1
    case update = 2
    case close = 3
  }

  /// How bad the incident looks, as OCSF `severity_id` numbers it.
  public enum Severity: Int, Sendable, Comparable, CaseIterable, Codable {
    case low = 2
    case medium = 3
    case high = 4
    case critical = 5

    public var name: String {
      switch self {
      case .low: "Low"
      case .medium: "Medium"
      case .high: "High"
      case .critical: "Critical"
      }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
  }

  /// Stable per incident (`exw-` and 16 hex digits), derived from the incident's first flagged
  /// key and window: the same events give the same id in any mode or chunking.
  public var id: String
  /// 1 for the create, counting up with each update and the close.
  public var revision: Int
  public var activity: Activity
  public var severity: Severity
  /// The event time (epoch ms) at which the detector raised, updated or closed the incident:
  /// the moment the watermark passed the deciding window's end. A replay and a live run give
  /// the same value.
  public var time: Int64
  /// The earliest and latest event time of the reads in the incident's flagged windows.
  public var firstSeenTime: Int64
  public var lastSeenTime: Int64
  /// A short headline, e.g. "Bulk record reads far above the actor's baseline".
  public var title: String
  /// One sentence a person can act on: who, what, how many against normal.
  public var description: String
  /// The analytic that flagged the primary key, e.g. `bulk_read_by_client`.
  public var analytic: String
  /// Every key flagged in the incident, in the order they joined it.
  public var keys: [FlaggedKey]
  /// The incident's strongest window: the evidence for the current severity.
  public var evidence: WindowEvidence
  /// The platform tenant (org) of the evidence's reads, where the logs say.
  public var tenant: String?
  /// The log format the evidence came from.
  public var format: LogFormat?

  public init(
    id: String, revision: Int, activity: Activity, severity: Severity, time: Int64,
    firstSeenTime: Int64, lastSeenTime: Int64, title: String, description: String,
    analytic: String, keys: [FlaggedKey], evidence: WindowEvidence, tenant: String?,
    format: LogFormat?
  ) {
    self.id = id
    self.revision = revision
    self.activity = activity
    self.severity = severity
    self.time = time
    self.firstSeenTime = firstSeenTime
    self.lastSeenTime = lastSeenTime
    self.title = title
    self.description = description
    self.analytic = analytic
    self.keys = keys
    self.evidence = evidence
    self.tenant = tenant
    self.format = format
  }
}

/// A key (one value of a dimension) whose windows were flagged in an incident.
public struct FlaggedKey: Sendable, Equatable, Codable {
  /// The dimension's name: `actor`, `client`, `source_ip`, or a combination such as
  /// `actor+object`.
  public var dimension: String
  /// The key's value; a combination's values are joined with `+`.
  public var value: String
  /// The horizons (`5m`, `1h`, `24h`) in which the key was flagged, shortest first.
  public var horizons: [String]

  public init(dimension: String, value: String, horizons: [String]) {
    self.dimension = dimension
    self.value = value
    self.horizons = horizons
  }
}

/// One window of one key, exactly as the detector judged it: the numbers add up to the events
/// in it (each breakdown sums to `records` and `reads`, with the tail of a long list folded
/// into one `(other)` entry).
public struct WindowEvidence: Sendable, Equatable, Codable {
  /// Which volume crossed the thresholds.
  public enum Metric: String, Sendable, Equatable, Codable {
    case records
    case reads
  }

  public var dimension: String
  public var key: String
  public var horizon: String
  /// Window bounds, epoch ms: `[windowStart, windowEnd)`.
  public var windowStart: Int64
  public var windowEnd: Int64
  public var metric: Metric
  /// Records read in the window (the sum the detector watches).
  public var records: Int64
  /// Read events in the window (a download without a row count is still one).
  public var reads: Int64
  /// The key's typical busiest window of a day for this horizon (records, then read events):
  /// the median of its recent daily peaks, or its peers' while it has none.
  public var baselineRecords: Double
  public var baselineReads: Double
  /// The busiest daily peak the key has had lately (its peers' while it has none): the
  /// window's `multiple` is taken of this.
  public var busiestRecords: Double
  public var busiestReads: Double
  /// Distance above the baseline in robust standard units, after the peers' concurrent change.
  public var score: Double
  /// The window's volume over the busiest recent daily peak, for the metric that crossed.
  public var multiple: Double
  /// Whether the key had too little history of its own and was judged against its peers.
  public var judgedAgainstPeers: Bool
  public var firstEventTime: Int64
  public var lastEventTime: Int64
  /// Who and what the window's reads came from, most records first.
  public var actors: [Tally]
  public var clients: [Tally]
  public var sourceIPs: [Tally]
  public var objects: [Tally]
  /// The platform's ids of the window's earliest reads.
  public var sampleEventIDs: [String]
  /// Where the earliest reads sit in the inputs (`path:line`).
  public var sampleSources: [String]
  /// Records read in the key's recent windows at this horizon, one per hop, oldest first,
  /// ending with this window: a short series for charts.
  public var recentWindowRecords: [Int64]
  /// Milliseconds between the windows of `recentWindowRecords` (the horizon's hop); nil in
  /// findings saved before it was recorded.
  public var hop: Int64?

  public init(
    dimension: String, key: String, horizon: String, windowStart: Int64, windowEnd: Int64,
    metric: Metric, records: Int64, reads: Int64, baselineRecords: Double, baselineReads: Double,
    busiestRecords: Double, busiestReads: Double, score: Double, multiple: Double, judgedAgainstPeers: Bool, firstEventTime: Int64,
    lastEventTime: Int64, actors: [Tally], clients: [Tally], sourceIPs: [Tally], objects: [Tally],
    sampleEventIDs: [String], sampleSources: [String], recentWindowRecords: [Int64], hop: Int64? = nil
  ) {
    self.dimension = dimension
    self.key = key
    self.horizon = horizon
    self.windowStart = windowStart
    self.windowEnd = windowEnd
    self.metric = metric
    self.records = records
    self.reads = reads
    self.baselineRecords = baselineRecords
    self.baselineReads = baselineReads
    self.busiestRecords = busiestRecords
    self.busiestReads = busiestReads
    self.score = score
    self.multiple = multiple
    self.judgedAgainstPeers = judgedAgainstPeers
    self.firstEventTime = firstEventTime
    self.lastEventTime = lastEventTime
    self.actors = actors
    self.clients = clients
    self.sourceIPs = sourceIPs
    self.objects = objects
    self.sampleEventIDs = sampleEventIDs
    self.sampleSources = sampleSources
    self.recentWindowRecords = recentWindowRecords
    self.hop = hop
  }
}

/// Records and reads of one value in a window.
public struct Tally: Sendable, Equatable, Codable {
  /// The value as a person reads it (user name, app name, IP, object); `(other)` for the
  /// folded tail, `(none)` where the events had no value.
  public var name: String
  /// The platform's id, where there is one (a user's id beside the user's name).
  public var uid: String?
  public var records: Int64
  public var reads: Int64

  public static let otherName = "(other)"
  public static let noneName = "(none)"

  public init(name: String, uid: String? = nil, records: Int64, reads: Int64) {
    self.name = name
    self.uid = uid
    self.records = records
    self.reads = reads
  }
}
