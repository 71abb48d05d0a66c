import Foundation

/// One line of a findings file (the `jsonl` sink's OCSF Detection Finding), as much of it as
/// the report shows: read back from the file, not from the detector, so a report can be made
/// of any run's findings, on any machine, long after.
public struct ReportedFinding: Sendable, Equatable {
  public var incident: String
  public var revision: Int
  public var activity: String
  public var severity: String
  public var severityID: Int
  /// Event time (epoch ms) at which the revision was decided.
  public var time: Int64
  public var firstSeenTime: Int64
  public var lastSeenTime: Int64
  public var title: String
  public var description: String
  public var analytic: String
  public var evidence: Evidence

  /// The strongest window of the revision, with what the detector compared it to.
  public struct Evidence: Sendable, Equatable, Decodable {
    public var horizon: String
    public var dimension: String
    public var key: String
    public var windowStart: Int64
    public var windowEnd: Int64
    public var metric: String
    public var records: Int64
    public var reads: Int64
    public var baselineRecords: Double
    public var busiestRecords: Double
    public var score: Double
    public var multiple: Double
    public var actors: [Tally]
    public var clients: [Tally]
    public var sourceIPs: [Tally]
    public var objects: [Tally]
    public var sampleEventIDs: [String]
    public var sampleSources: [String]
    /// Records of the key's windows at this horizon, one per hop, ending with this one.
    public var recentWindowRecords: [Int64]
    /// Milliseconds between those windows; nil in findings written before it was recorded.
    public var hop: Int64?
    public var keys: [FlaggedKey]

    enum CodingKeys: String, CodingKey {
      case horizon, dimension, key, metric, records, reads, score, multiple, actors, clients, objects, keys, hop
      case windowStart = "window_start", windowEnd = "window_end", baselineRecords = "baseline_records"
      case busiestRecords = "busiest_records", sourceIPs = "source_ips", sampleEventIDs = "sample_event_ids"
      case sampleSources = "sample_sources", recentWindowRecords = "recent_window_records"
    }
  }

  public struct Tally: Sendable, Equatable, Decodable {
    public var name: String
    public var uid: String?
    public var records: Int64
    public var reads: Int64
  }

  public struct FlaggedKey: Sendable, Equatable, Decodable {
    public var dimension: String
    public var value: String
    public var horizons: [String]
  }
}

extension ReportedFinding: Decodable {
  private enum CodingKeys: String, CodingKey {
    case activityName = "activity_name", severity, severityID = "severity_id", time
    case findingInfo = "finding_info", unmapped
  }

  private struct FindingInfo: Decodable {
    var uid: String
    var title: String
    var desc: String
    var firstSeenTime: Int64
    var lastSeenTime: Int64
    var analytic: Analytic

    struct Analytic: Decodable { var name: String }

    enum CodingKeys: String, CodingKey {
      case uid, title, desc, analytic, firstSeenTime = "first_seen_time", lastSeenTime = "last_seen_time"
    }
  }

  private struct Unmapped: Decodable {
    var exfilwatch: Revised

    struct Revised: Decodable {
      var revision: Int
      var evidence: Evidence

      init(from decoder: any Decoder) throws {
        revision = try decoder.container(keyedBy: Key.self).decode(Int.self, forKey: .revision)
        evidence = try Evidence(from: decoder)
      }

      private enum Key: String, CodingKey { case revision }
    }
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let info = try container.decode(FindingInfo.self, forKey: .findingInfo)
    let unmapped = try container.decode(Unmapped.self, forKey: .unmapped).exfilwatch
    let read = unmapped.evidence
    let counts = [read.records, read.reads, read.hop ?? 1] + read.recentWindowRecords
      + (read.actors + read.clients + read.sourceIPs + read.objects).flatMap { [$0.records, $0.reads] }
    let times = [info.firstSeenTime, info.lastSeenTime, read.windowStart, read.windowEnd]
    let ratios = [read.baselineRecords, read.busiestRecords, read.score, read.multiple]
    // Far beyond any real log, and beyond what the page's arithmetic can take.
    guard counts.allSatisfy({ (0...(1 << 50)).contains($0) }), times.allSatisfy({ abs($0) < 1 << 50 }),
      ratios.allSatisfy({ $0.isFinite && abs($0) < 1e15 })
    else {
      throw DecodingError.dataCorrupted(
        DecodingError.Context(codingPath: [CodingKeys.unmapped], debugDescription: "a number out of range"))
    }
    incident = info.uid
    revision = unmapped.revision
    activity = try container.decode(String.self, forKey: .activityName)
    severity = try container.decode(String.self, forKey: .severity)
    severityID = try container.decode(Int.self, forKey: .severityID)
    time = try container.decode(Int64.self, forKey: .time)
    firstSeenTime = info.firstSeenTime
    lastSeenTime = info.lastSeenTime
    title = info.title
    description = info.desc
    analytic = info.analytic.name
    evidence = unmapped.evidence
  }

  /// The findings of a `jsonl` sink's file, in file order.
  ///
  /// - Throws: `ReportInputError` naming the file and line of the first line that is not an
  ///   ExfilWatch finding.
  public static func read(path: String) throws(ReportInputError) -> [ReportedFinding] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ReportInputError(path: path, line: 0, problem: "cannot read the file")
    }
    let decoder = JSONDecoder()
    var findings: [ReportedFinding] = []
    for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
    where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
      do {
        findings.append(try decoder.decode(ReportedFinding.self, from: Data(line)))
      } catch {
        throw ReportInputError(path: path, line: index + 1, problem: Self.reason(error))
      }
    }
    return findings
  }

  private static func reason(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
      "not an ExfilWatch finding: no \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
    case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
      "not an ExfilWatch finding: \(context.debugDescription) in \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      "not an ExfilWatch finding: \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
    default:
      "not JSON"
    }
  }
}

/// A findings file that cannot be reported on.
public struct ReportInputError: Error, CustomStringConvertible {
  public var path: String
  public var line: Int
  public var problem: String

  public var description: String { line > 0 ? "\(path):\(line): \(problem)" : "\(path): \(problem)" }
}
