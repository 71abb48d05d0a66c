/// One incident: every revision of one finding id, oldest first.
public struct ReportedIncident: Sendable, Equatable {
  public var revisions: [ReportedFinding]

  public var id: String { latest.incident }
  /// The newest revision: what the incident looks like now.
  public var latest: ReportedFinding { revisions[revisions.count - 1] }
  public var isClosed: Bool { latest.activity == "Close" }

  /// The incidents of `findings`, by when each was first raised (then by id).
  public static func group(_ findings: [ReportedFinding]) -> [ReportedIncident] {
    var order: [String] = []
    var byID: [String: [ReportedFinding]] = [:]
    for finding in findings {
      if byID[finding.incident] == nil { order.append(finding.incident) }
      byID[finding.incident, default: []].append(finding)
    }
    return order.map { id in
      // A file may hold a revision twice (a sink written again after a crash): kept once.
      var seen: Set<Int> = []
      let revisions = byID[id]!.sorted { $0.revision < $1.revision }.filter { seen.insert($0.revision).inserted }
      return ReportedIncident(revisions: revisions)
    }.sorted { ($0.revisions[0].time, $0.id) < ($1.revisions[0].time, $1.id) }
  }

  /// The windows charted for this incident: for each key and horizon its revisions gave as
  /// evidence (in the order first given), the latest such evidence, and the ends of the
  /// windows flagged there (the points its chart marks).
  public var charted: [(evidence: ReportedFinding.Evidence, flaggedWindowEnds: Set<Int64>)] {
    var order: [String] = []
    var latest: [String: ReportedFinding.Evidence] = [:]
    var flagged: [String: Set<Int64>] = [:]
    for evidence in revisions.map(\.evidence) {
      let key = "\(evidence.dimension)\u{0}\(evidence.key)\u{0}\(evidence.horizon)"
      if latest[key] == nil { order.append(key) }
      latest[key] = evidence
      flagged[key, default: []].insert(evidence.windowEnd)
    }
    return order.map { (latest[$0]!, flagged[$0]!) }
  }
}
