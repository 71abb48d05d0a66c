import ExfilWatchEvent

/// Folds flagged windows into incidents and decides when an incident is emitted: one finding
/// per attack, created once, updated as it grows, closed after a quiet period.
///
/// A window joins an open incident when its key, or the actor, client or IP most of its reads
/// came from, is a key flagged in the incident, or when it shares with the incident a young
/// app or address most of their reads came from: an app reading through several agents'
/// tokens from a few addresses is one incident even though the app's own total never stood
/// out, while two agents flagged on one day in the console everybody uses stay two.
struct IncidentTracker {
  struct Incident: Codable {
    var id: String
    var revision = 0
    var keys: [FlaggedKey] = []
    var members: Set<DetectorKey> = []
    /// The young actors, clients and IPs most of the flagged windows' reads came from.
    var newcomers: Set<DetectorKey> = []
    var firstSeen: Int64
    var lastSeen: Int64
    /// The decision time of the newest flagged window.
    var lastFlagged: Int64
    /// The strongest window so far.
    var strongest: FlaggedWindow
    var severity: Finding.Severity
    /// What the last emission said, to tell growth worth an update.
    var emittedRecords: Int64 = 0
    var emittedSeverity: Finding.Severity = .low
    var emittedKeys = 0
  }

  let configuration: DetectorConfiguration
  var open: [Incident] = []

  init(configuration: DetectorConfiguration) {
    self.configuration = configuration
  }

  /// Folds one judging step's flagged windows (sorted, so the result does not depend on the
  /// order keys were seen in).
  mutating func fold(_ windows: [FlaggedWindow], into findings: inout [Finding]) {
    var touched: [Int] = []
    let horizonOrder = configuration.horizons.map(\.name)
    for window in windows {
      let position = open.firstIndex { incident in
        incident.members.contains(window.key) || incident.newcomers.contains(window.key)
          || window.related.contains { incident.members.contains($0) }
          || window.newcomers.contains { incident.newcomers.contains($0) }
      }
      if let position {
        Self.absorb(window, into: &open[position], horizonOrder: horizonOrder)
        if !touched.contains(position) { touched.append(position) }
      } else {
        open.append(Self.opening(window))
        touched.append(open.count - 1)
      }
    }
    for position in touched.sorted() {
      let incident = open[position]
      if incident.revision == 0 {
        findings.append(Self.emission(of: &open[position], activity: .create, time: incident.lastFlagged))
      } else if incident.severity > incident.emittedSeverity || incident.keys.count > incident.emittedKeys
        || incident.strongest.evidence.records >= 2 * incident.emittedRecords
      {
        findings.append(Self.emission(of: &open[position], activity: .update, time: incident.lastFlagged))
      }
    }
  }

  /// Closes the incidents with no flagged window for the quiet period before `now`.
  mutating func closeQuiet(now: Int64, into findings: inout [Finding]) {
    var position = 0
    while position < open.count {
      let closesAt = open[position].lastFlagged + configuration.quietPeriod
      if closesAt <= now {
        findings.append(Self.emission(of: &open[position], activity: .close, time: closesAt))
        open.remove(at: position)
      } else {
        position += 1
      }
    }
  }

  private static func opening(_ window: FlaggedWindow) -> Incident {
    let evidence = window.evidence
    var incident = Incident(
      id: FindingText.incidentID(
        tenant: window.tenant, dimension: evidence.dimension, key: evidence.key, horizon: evidence.horizon,
        windowStart: evidence.windowStart),
      firstSeen: evidence.firstEventTime, lastSeen: evidence.lastEventTime,
      lastFlagged: window.decisionTime, strongest: window, severity: FindingText.severity(of: evidence))
    incident.members.insert(window.key)
    incident.newcomers.formUnion(window.newcomers)
    incident.keys.append(
      FlaggedKey(dimension: evidence.dimension, value: evidence.key, horizons: [evidence.horizon]))
    return incident
  }

  private static func absorb(_ window: FlaggedWindow, into incident: inout Incident, horizonOrder: [String]) {
    let evidence = window.evidence
    incident.firstSeen = min(incident.firstSeen, evidence.firstEventTime)
    incident.lastSeen = max(incident.lastSeen, evidence.lastEventTime)
    incident.lastFlagged = max(incident.lastFlagged, window.decisionTime)
    incident.newcomers.formUnion(window.newcomers)
    if let known = incident.keys.firstIndex(where: { $0.dimension == evidence.dimension && $0.value == evidence.key }) {
      if !incident.keys[known].horizons.contains(evidence.horizon) {
        incident.keys[known].horizons.append(evidence.horizon)
        incident.keys[known].horizons.sort { horizonOrder.firstIndex(of: $0)! < horizonOrder.firstIndex(of: $1)! }
      }
    } else {
      incident.members.insert(window.key)
      incident.keys.append(FlaggedKey(dimension: evidence.dimension, value: evidence.key, horizons: [evidence.horizon]))
    }
    let severity = FindingText.severity(of: evidence)
    let strongest = incident.strongest.evidence
    if (severity, evidence.records, evidence.score) > (incident.severity, strongest.records, strongest.score) {
      incident.strongest = window
      incident.severity = max(incident.severity, severity)
    }
  }

  /// The incident's next finding; it remembers what it said.
  private static func emission(of incident: inout Incident, activity: Finding.Activity, time: Int64) -> Finding {
    incident.revision += 1
    incident.emittedRecords = incident.strongest.evidence.records
    incident.emittedSeverity = incident.severity
    incident.emittedKeys = incident.keys.count
    let evidence = incident.strongest.evidence
    return Finding(
        id: incident.id, revision: incident.revision, activity: activity, severity: incident.severity,
        time: time, firstSeenTime: incident.firstSeen, lastSeenTime: incident.lastSeen,
        title: FindingText.title(evidence), description: FindingText.description(evidence, keys: incident.keys),
        analytic: FindingText.analytic(evidence), keys: incident.keys, evidence: evidence,
      tenant: incident.strongest.tenant, format: incident.strongest.format)
  }
}

extension IncidentTracker.Incident {
  /// As synthesized, but the sets in order: in their hash order, which differs between two
  /// equal sets, the same state was saved as different bytes.
  func encode(to encoder: any Encoder) throws {
    func sorted(_ keys: Set<DetectorKey>) -> [DetectorKey] {
      keys.sorted {
        ($0.dimension, $0.tenant.rawValue, $0.first.rawValue, $0.second.rawValue, $0.third.rawValue)
          < ($1.dimension, $1.tenant.rawValue, $1.first.rawValue, $1.second.rawValue, $1.third.rawValue)
      }
    }
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id, forKey: .id)
    try container.encode(revision, forKey: .revision)
    try container.encode(keys, forKey: .keys)
    try container.encode(sorted(members), forKey: .members)
    try container.encode(sorted(newcomers), forKey: .newcomers)
    try container.encode(firstSeen, forKey: .firstSeen)
    try container.encode(lastSeen, forKey: .lastSeen)
    try container.encode(lastFlagged, forKey: .lastFlagged)
    try container.encode(strongest, forKey: .strongest)
    try container.encode(severity, forKey: .severity)
    try container.encode(emittedRecords, forKey: .emittedRecords)
    try container.encode(emittedSeverity, forKey: .emittedSeverity)
    try container.encode(emittedKeys, forKey: .emittedKeys)
  }
}
