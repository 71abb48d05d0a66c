import ExfilWatchEvent

/// The words and numbers of a finding that are derived, not measured: its id, severity,
/// title and sentence.
enum FindingText {
  /// `exw-` and 16 hex digits of an FNV-1a hash of the tenant and the first flagged key and
  /// window: stable across runs and modes, the same for the same events, and different for
  /// two orgs that both have a `j.smith`.
  static func incidentID(
    tenant: String?, dimension: String, key: String, horizon: String, windowStart: Int64
  ) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in "\(tenant ?? "")\u{1F}\(dimension)\u{1F}\(key)\u{1F}\(horizon)\u{1F}\(windowStart)".utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return "exw-" + String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// Severity from how many records and how far above normal: a million rows is critical
  /// even from a busy integration; ten times a key's normal is worth a look even when small.
  static func severity(of evidence: WindowEvidence) -> Finding.Severity {
    let volume = evidence.metric == .records ? evidence.records : evidence.reads
    let multiple = evidence.multiple
    if volume >= 100_000 && multiple >= 20 || volume >= 1_000_000 { return .critical }
    if multiple >= 20 || volume >= 50_000 { return .high }
    if multiple >= 5 || volume >= 10_000 { return .medium }
    return .low
  }

  static func analytic(_ evidence: WindowEvidence) -> String {
    "bulk_read_by_" + evidence.dimension.split(separator: "+").joined(separator: "_and_")
  }

  static func title(_ evidence: WindowEvidence) -> String {
    let subject = noun(evidence.dimension)
    if evidence.judgedAgainstPeers {
      return "Bulk reads by a \(subject) with little history, far above its peers"
    }
    return "Bulk reads far above the \(subject)'s baseline"
  }

  /// `client "DataLoaderPartnerUI/62.0.0" read 412,000 records (Contact 300,000, Account
  /// 112,000) in 5m from 198.51.100.23 as m.santos@example.com; typical 0 per 5m (score 14.2,
  /// 412001x). Also flagged: actor m.santos@example.com, source_ip 198.51.100.23.`
  static func description(_ evidence: WindowEvidence, keys: [FlaggedKey]) -> String {
    let metric = evidence.metric
    let volume = metric == .records ? evidence.records : evidence.reads
    let typical = metric == .records ? evidence.baselineRecords : evidence.baselineReads
    let busiest = metric == .records ? evidence.busiestRecords : evidence.busiestReads
    var text = "\(noun(evidence.dimension)) \(evidence.key) read \(DisplayText.grouped(volume)) "
    text += metric == .records ? "records" : "times"
    let objects = evidence.objects.prefix(3).map { "\($0.name) \(DisplayText.grouped($0.records))" }
    if metric == .records && !objects.isEmpty { text += " (\(objects.joined(separator: ", ")))" }
    text += " in \(evidence.horizon)"
    if evidence.dimension != "source_ip", let ip = evidence.sourceIPs.first { text += " from \(ip.name)" }
    if evidence.dimension != "client", let client = evidence.clients.first { text += " via \(client.name)" }
    if evidence.dimension != "actor", let actor = evidence.actors.first { text += " as \(actor.name)" }
    text += "; typical \(DisplayText.grouped(Int64(typical.rounded()))), busiest "
    text += "\(DisplayText.grouped(Int64(busiest.rounded()))) per \(evidence.horizon)"
    if evidence.judgedAgainstPeers { text += " for its peers" }
    text += " (score \(DisplayText.oneDecimal(evidence.score)), \(DisplayText.oneDecimal(evidence.multiple))x)."
    let others = keys.filter { $0.dimension != evidence.dimension || $0.value != evidence.key }
    if !others.isEmpty {
      text += " Also flagged: " + others.map { "\($0.dimension) \($0.value)" }.joined(separator: ", ") + "."
    }
    return text
  }

  static func noun(_ dimension: String) -> String {
    switch dimension {
    case "source_ip": "source IP"
    case "client": "client app"
    default: dimension
    }
  }
}
