import ExfilWatchDetector

/// Turns a `Finding` into one OCSF 1.8.0 Detection Finding (class 2004), the event SIEMs
/// (Splunk, Sentinel, Security Lake, Elastic) ingest as is.
///
/// The OCSF attributes carry what a SOC pivots on: severity, incident lifecycle, who (actor,
/// client app, source IP as `evidences` and `observables`), what (`resources`), how far above
/// normal (`anomaly_analyses`), and ATT&CK. Everything else the detector knows goes, losslessly,
/// under `unmapped.exfilwatch`, so nothing a finding explains is lost on the way to the SIEM.
///
/// The output is deterministic: the same finding always gives the same bytes (members in a
/// fixed order, numbers in one format), so emissions can be compared, deduplicated and
/// golden-tested.
public struct OCSFDetectionFindingEncoder: Sendable {
  /// The OCSF schema version the events follow (`metadata.version`).
  public static let schemaVersion = "1.8.0"

  /// ExfilWatch's version, written as `metadata.product.version` so a SIEM can tell which
  /// build, and so which detection logic, produced a finding.
  public var productVersion: String

  public init(productVersion: String) {
    self.productVersion = productVersion
  }

  /// One event as a single line of compact UTF-8 JSON, without a trailing newline (the sink
  /// that frames lines adds it).
  public func encode(_ finding: Finding) -> [UInt8] {
    event(for: finding).bytes
  }

  func event(for finding: Finding) -> JSONValue {
    let activity = finding.activity
    let confidence = Confidence(score: finding.evidence.score)
    return [
      "class_uid": 2004,
      "class_name": "Detection Finding",
      "category_uid": 2,
      "category_name": "Findings",
      "activity_id": .integer(Int64(activity.rawValue)),
      "activity_name": .string(activity.caption),
      "type_uid": .integer(2004 * 100 + Int64(activity.rawValue)),
      "type_name": .string("Detection Finding: \(activity.caption)"),
      "severity_id": .integer(Int64(finding.severity.rawValue)),
      "severity": .string(finding.severity.name),
      "time": .integer(finding.time),
      // Every time ExfilWatch writes is UTC epoch milliseconds.
      "timezone_offset": 0,
      "start_time": .integer(finding.firstSeenTime),
      "end_time": .integer(finding.lastSeenTime),
      "count": .integer(finding.evidence.reads),
      "message": .string(finding.description),
      "status_id": .integer(activity.statusID),
      "status": .string(activity.status),
      "confidence_id": .integer(confidence.rawValue),
      "confidence": .string(confidence.caption),
      // OCSF: a Close is not an alertable signal.
      "is_alert": .bool(activity != .close),
      "metadata": metadata(finding),
      "finding_info": findingInfo(finding),
      "evidences": evidence(finding.evidence).map { JSONValue.array([$0]) },
      "resources": resources(finding.evidence.objects),
      "observables": observables(finding.evidence),
      "anomaly_analyses": [anomalyAnalysis(finding.evidence)],
      "unmapped": ["exfilwatch": unmapped(finding)],
    ]
  }

  private func metadata(_ finding: Finding) -> JSONValue {
    [
      "version": .string(Self.schemaVersion),
      // Unique per emission; `finding_info.uid` is the incident's stable id.
      "uid": .string("\(finding.id)-\(finding.revision)"),
      "product": [
        "name": "ExfilWatch",
        "vendor_name": "ExfilWatch",
        "version": .string(productVersion),
      ],
      "log_name": finding.format.map { .string("exfilwatch.\($0.rawValue)") },
      "tenant_uid": finding.tenant.map(JSONValue.string),
    ]
  }

  private func findingInfo(_ finding: Finding) -> JSONValue {
    [
      "uid": .string(finding.id),
      "title": .string(finding.title),
      "desc": .string(finding.description),
      "first_seen_time": .integer(finding.firstSeenTime),
      "last_seen_time": .integer(finding.lastSeenTime),
      "analytic": [
        "type_id": 3,
        "type": "Statistical",
        "name": .string(finding.analytic),
        // Stable per analytic, so SIEM rules can key on it across product versions.
        "uid": .string("exfilwatch:\(finding.analytic)"),
      ],
      "attacks": [
        [
          "tactic": ["uid": "TA0009", "name": "Collection"],
          "technique": ["uid": "T1213", "name": "Data from Information Repositories"],
        ]
      ],
      "types": ["Bulk Read"],
    ]
  }
}

/// How sure ExfilWatch is that the window is not normal, from its robust score (distance above
/// the baseline in robust standard units): 6 and more is High, 4 and more Medium, below that
/// Low. A window is flagged only when it also clears the absolute floor and the multiple, so
/// even Low means "far more than usual", just with a noisier history behind it.
enum Confidence: Int64 {
  case low = 1
  case medium = 2
  case high = 3

  init(score: Double) {
    self = score >= 6 ? .high : score >= 4 ? .medium : .low
  }

  var caption: String {
    switch self {
    case .low: "Low"
    case .medium: "Medium"
    case .high: "High"
    }
  }
}

extension Finding.Activity {
  /// The OCSF `activity_id` caption, as the findings database stores it: `Create`, `Update`,
  /// `Close`.
  public var caption: String {
    switch self {
    case .create: "Create"
    case .update: "Update"
    case .close: "Close"
    }
  }

  /// OCSF `status_id`: a new incident is New, a growing one In Progress, a closed one Resolved.
  var statusID: Int64 {
    switch self {
    case .create: 1
    case .update: 2
    case .close: 4
    }
  }

  var status: String {
    switch self {
    case .create: "New"
    case .update: "In Progress"
    case .close: "Resolved"
    }
  }
}
