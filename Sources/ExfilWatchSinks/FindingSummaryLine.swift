import ExfilWatchDetector
import ExfilWatchEvent

/// A finding as one line a person reads on a terminal or in a cron mail:
///
///     2025-07-04T21:15:00Z HIGH NEW actor=svc.sync@acme.example client="Data Loader"
///     ip=203.0.113.7: 612,000 records in 5m (Contact, Account), typical 340, busiest 410, 1500x,
///     score 14.2 exw-1f3a9c0e2b7d4e51
///
/// (one line in the output): when, how bad, what happened to the incident, who (the flagged
/// key, then the top actor, client app and IP where they say more), how much against normal,
/// and the id to look the finding up by. Values come from the logs, so control and formatting
/// characters are escaped (a crafted user name cannot move the cursor or forge a line) and
/// values with spaces are quoted. No colour: the line goes to files and mail as often as to a
/// terminal.
public struct FindingSummaryLine: CustomStringConvertible, Sendable {
  public var finding: Finding

  public init(_ finding: Finding) {
    self.finding = finding
  }

  public var description: String {
    let evidence = finding.evidence
    // A finding about the detector itself (the cap on tracked keys) has no window to count;
    // its description quotes the values it names from the logs.
    guard !evidence.horizon.isEmpty else {
      return [
        DisplayText.utcSeconds(finding.time), finding.severity.name.uppercased(), finding.activity.word,
        finding.title + ":", finding.description, finding.id,
      ].joined(separator: " ")
    }
    var who = [field(evidence.dimension, evidence.key)]
    let top: [(label: String, tally: Tally?)] = [
      ("actor", evidence.actors.first(where: \.isIdentified)),
      ("client", evidence.clients.first(where: \.isIdentified)),
      ("ip", evidence.sourceIPs.first(where: \.isIdentified)),
    ]
    for (label, tally) in top {
      guard let tally, tally.name != evidence.key, tally.uid != evidence.key else { continue }
      who.append(field(label, tally.name))
    }
    let objects = evidence.objects.filter(\.isIdentified).prefix(3).map { DisplayText.quoted($0.name) }
    let (observed, unit, typical, busiest) =
      evidence.metric == .records
      ? (evidence.records, "records", evidence.baselineRecords, evidence.busiestRecords)
      : (evidence.reads, "reads", evidence.baselineReads, evidence.busiestReads)
    var what = "\(DisplayText.grouped(observed)) \(unit) in \(evidence.horizon)"
    if !objects.isEmpty { what += " (\(objects.joined(separator: ", ")))" }
    return [
      DisplayText.utcSeconds(finding.time),
      finding.severity.name.uppercased(),
      finding.activity.word,
      who.joined(separator: " ") + ":",
      what + ",",
      "typical \(DisplayText.approximate(typical)), busiest \(DisplayText.approximate(busiest)),",
      "\(multipleText(evidence.multiple))x,",
      "score \(DisplayText.oneDecimal(evidence.score))",
      finding.id,
    ].joined(separator: " ")
  }

  private func field(_ label: String, _ value: String) -> String {
    "\(label)=\(DisplayText.quoted(value))"
  }

  /// `1800`, `3.5`: as precise as a person needs to judge "how many times normal".
  private func multipleText(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    return value >= 10 ? String(Int64(value.rounded())) : DisplayText.oneDecimal(value)
  }
}

extension Finding.Activity {
  /// What the line says happened to the incident.
  fileprivate var word: String {
    switch self {
    case .create: "NEW"
    case .update: "UPDATE"
    case .close: "CLOSED"
    }
  }
}
