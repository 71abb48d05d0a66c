import ExfilWatchDetector
import ExfilWatchEvent

/// Turns a finding into one RFC 5424 syslog message (without transport framing):
///
///     <83>1 2025-07-04T21:16:01.482Z ingest-01 exfilwatch 4121 bulk_read_by_client
///     [exfilwatch@32473 finding_id="exw-1f3a9c0e2b7d4e51" revision="1" activity="create"
///     severity="High" dimension="client" key="Data Loader" horizon="5m"
///     start="2025-07-04T21:10:00.000Z" end="2025-07-04T21:15:00.000Z" metric="records"
///     records="612000" baseline="340.20" score="14.23" tenant="00D5g000004XyZ1"
///     actor="svc.sync@acme.example" client="Data Loader" source_ip="203.0.113.7"]
///     {"class_uid":2004,...}
///
/// (one line on the wire). PRI is the configured facility with the finding's severity
/// (`SyslogSeverity(_:)`); MSGID is the analytic, so receivers can route by it; the structured
/// data carries the facts a receiver filters and alerts on without parsing the MSG; the MSG
/// is the full OCSF finding as JSON, or a CEF line.
///
/// A message longer than `maxMessageBytes` would be cut by the receiver wherever its limit
/// falls, leaving JSON or CEF that no longer parses. Such a finding instead carries its title
/// and description as the MSG (shortened, at a character boundary, if even they do not fit),
/// while the structured data, which holds the key facts, stays whole. Only when the head alone
/// is too long (values from the logs of extraordinary length) does the message exceed the
/// limit, with no MSG.
public struct SyslogFindingEncoder: Sendable {
  /// The SD-ID of the element: `exfilwatch` under the documentation enterprise number 32473
  /// (RFC 5612), as ExfilWatch has no IANA enterprise number of its own.
  public static let structuredDataID = "exfilwatch@32473"

  /// Facility, format, limit and APP-NAME; the transport is not used here.
  public var options: SyslogOptions
  /// HOSTNAME; nil (or anything that is not 1 to 255 printable ASCII characters) sends `-`.
  public var hostname: String?
  /// PROCID.
  public var processID: Int32
  private let ocsf: OCSFDetectionFindingEncoder
  private let cef: CEFFindingEncoder

  /// - Parameters:
  ///   - productVersion: ExfilWatch's version, for the OCSF `metadata.product.version` or the
  ///     CEF header.
  ///   - hostname: This machine's name, as receivers file messages by it.
  ///   - processID: The running process, so messages of two runs can be told apart.
  public init(options: SyslogOptions, productVersion: String, hostname: String?, processID: Int32) {
    self.options = options
    self.hostname = hostname
    self.processID = processID
    ocsf = OCSFDetectionFindingEncoder(productVersion: productVersion)
    cef = CEFFindingEncoder(productVersion: productVersion)
  }

  /// The message for `finding`, stamped with `time` (epoch milliseconds, the moment it is
  /// rendered: RFC 5424's TIMESTAMP is when the message was made, the finding's own times are
  /// in the structured data).
  public func encode(_ finding: Finding, at time: Int64) -> [UInt8] {
    var message = SyslogMessage(
      facility: options.facility, severity: SyslogSeverity(finding.severity), time: time,
      hostname: hostname.flatMap(Self.validHostname), appName: options.appName,
      processID: String(processID), messageID: finding.analytic,
      structuredData: structuredData(finding), body: body(finding))
    let headBytes = message.headBytes.count
    if headBytes + 1 + message.body.count > options.maxMessageBytes {
      message.body = Self.prefix(summary(finding), maximumBytes: options.maxMessageBytes - headBytes - 1)
    }
    return message.bytes
  }

  private func body(_ finding: Finding) -> [UInt8] {
    switch options.format {
    case .rfc5424: ocsf.encode(finding)
    case .cef: Array(cef.encode(finding).utf8)
    }
  }

  /// The title and description, single-line.
  private func summary(_ finding: Finding) -> String {
    WireTextEscaping.freeText("\(finding.title): \(finding.description)")
  }

  /// The facts of the finding, each a short value a receiver can match on. `start` and `end`
  /// bound the flagged window; `records` and `baseline` are records read in it and in the key's
  /// typical busiest window; `metric` says whether records or read events crossed the
  /// thresholds. The tenant and the top actor, client app and source IP appear when known.
  private func structuredData(_ finding: Finding) -> SyslogStructuredData {
    let evidence = finding.evidence
    var parameters: [(name: String, value: String)] = [
      ("finding_id", finding.id),
      ("revision", String(finding.revision)),
      ("activity", finding.activity.caption.lowercased()),
      ("severity", finding.severity.name),
      ("dimension", evidence.dimension),
      ("key", evidence.key),
      ("horizon", evidence.horizon),
      ("start", SyslogMessage.rfc3339(milliseconds: evidence.windowStart)),
      ("end", SyslogMessage.rfc3339(milliseconds: evidence.windowEnd)),
      ("metric", evidence.metric.rawValue),
      ("records", String(evidence.records)),
      ("baseline", DisplayText.decimals(evidence.baselineRecords, places: 2)),
      ("score", DisplayText.decimals(evidence.score, places: 2)),
    ]
    let known: [(name: String, value: String?)] = [
      ("tenant", finding.tenant),
      ("actor", evidence.topActor?.name),
      ("client", evidence.topClient?.name),
      ("source_ip", evidence.topSourceIP?.name),
    ]
    for case let (name, value?) in known {
      parameters.append((name, value))
    }
    return SyslogStructuredData(id: Self.structuredDataID, parameters: parameters)
  }

  /// The name as RFC 5424 allows it, or nil: 1 to 255 printable ASCII characters.
  private static func validHostname(_ name: String) -> String? {
    let valid = (1...255).contains(name.utf8.count) && name.utf8.allSatisfy { (33...126).contains($0) }
    return valid ? name : nil
  }

  /// The longest start of `text` that fits in `maximumBytes` of UTF-8, cut between scalars.
  private static func prefix(_ text: String, maximumBytes: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    for scalar in text.unicodeScalars {
      let encoded = Array(String(scalar).utf8)
      guard bytes.count + encoded.count <= maximumBytes else { break }
      bytes += encoded
    }
    return bytes
  }
}
