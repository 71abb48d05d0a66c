import ExfilWatchDetector
import ExfilWatchEvent

/// Turns a finding into one ArcSight CEF line, for SIEMs that parse CEF out of syslog:
///
///     CEF:0|ExfilWatch|ExfilWatch|0.1.0|bulk_read_by_client|Bulk record reads far above the
///     client's baseline|8|rt=1751663760000 start=1751663401250 end=1751663699999
///     suser=svc.sync@acme.example src=203.0.113.7 requestClientApplication=Data Loader
///     cnt=612000 externalId=exw-1f3a9c0e2b7d4e51 cs1Label=object cs1=Contact cs2Label=tenant
///     cs2=00D5g000004XyZ1 cs3Label=key cs3=client\=Data Loader cn1Label=baselineRecords cn1=340
///     cn2Label=revision cn2=1 cfp1Label=score cfp1=14.23 msg=Client Data Loader read ...
///
/// (one line). The Device Event Class ID is the analytic and the Name the finding's title;
/// Severity maps Low, Medium, High, Critical to 3, 5, 8, 10. In the extension, `rt` is when the
/// detector raised the finding, `start` and `end` the first and last read of the incident (all
/// epoch milliseconds, which CEF accepts), `cnt` the records read in the flagged window,
/// `externalId` the finding id that stays the same across revisions (`cn2`); the flagged key,
/// top object, tenant, the key's typical records and the score use the custom fields with
/// their labels, since CEF has no keys of its own for them. `cn1` is a whole number, as CEF
/// custom numbers are.
///
/// Header fields escape `\` and `|` and are cut to the lengths ArcSight accepts; extension
/// values escape `\` and `=` and write newlines as `\n`. Other control characters are written
/// as visible escapes, so nothing from the logs can end the line.
public struct CEFFindingEncoder: Sendable {
  /// ExfilWatch's version: the header's Device Version.
  public var productVersion: String

  public init(productVersion: String) {
    self.productVersion = productVersion
  }

  /// The line, without a trailing newline.
  public func encode(_ finding: Finding) -> String {
    let header = [
      "CEF:0",
      Self.headerField("ExfilWatch", maximumLength: 63),
      Self.headerField("ExfilWatch", maximumLength: 63),
      Self.headerField(productVersion, maximumLength: 31),
      Self.headerField(finding.analytic, maximumLength: 1023),
      Self.headerField(finding.title, maximumLength: 512),
      String(Self.severity(finding.severity)),
    ]
    let fields = extensionFields(finding).map { "\($0.key)=\(WireTextEscaping.cefExtensionValue($0.value))" }
    return header.joined(separator: "|") + "|" + fields.joined(separator: " ")
  }

  /// CEF's 0 to 10 scale, where 7 and 8 are High and 9 and 10 Very-High.
  static func severity(_ severity: Finding.Severity) -> Int {
    switch severity {
    case .low: 3
    case .medium: 5
    case .high: 8
    case .critical: 10
    }
  }

  private func extensionFields(_ finding: Finding) -> [(key: String, value: String)] {
    let evidence = finding.evidence
    var fields: [(key: String, value: String)] = []
    func add(_ key: String, _ value: String?) {
      if let value { fields.append((key, value)) }
    }
    func addCustom(_ key: String, label: String, _ value: String?) {
      guard let value else { return }
      fields += [("\(key)Label", label), (key, value)]
    }
    add("rt", String(finding.time))
    add("start", String(finding.firstSeenTime))
    add("end", String(finding.lastSeenTime))
    add("suser", evidence.topActor?.name)
    add("src", evidence.topSourceIP?.name)
    add("requestClientApplication", evidence.topClient?.name)
    add("cnt", String(evidence.records))
    add("externalId", finding.id)
    addCustom("cs1", label: "object", evidence.topObject?.name)
    addCustom("cs2", label: "tenant", finding.tenant)
    addCustom("cs3", label: "key", "\(evidence.dimension)=\(evidence.key)")
    addCustom("cn1", label: "baselineRecords", Self.wholeNumber(evidence.baselineRecords))
    addCustom("cn2", label: "revision", String(finding.revision))
    addCustom("cfp1", label: "score", DisplayText.decimals(evidence.score, places: 2))
    add("msg", finding.description)
    return fields
  }

  /// `340` for 340.2; nil when the value has no whole-number form (infinite, not a number).
  private static func wholeNumber(_ value: Double) -> String? {
    let rounded = value.rounded()
    guard rounded.isFinite, abs(rounded) < 9e18 else { return nil }
    return String(Int64(rounded))
  }

  private static func headerField(_ text: String, maximumLength: Int) -> String {
    WireTextEscaping.cefHeaderField(String(text.prefix(maximumLength)))
  }
}

extension WireTextEscaping {
  /// CEF header fields: `\` and `|` are escaped; they are single-line.
  fileprivate static let cefHeaderField = WireTextEscaping(backslashed: ["\\", "|"])
  /// CEF extension values: `\` and `=` are escaped, newlines are `\n` and `\r`.
  fileprivate static let cefExtensionValue = WireTextEscaping(
    backslashed: ["\\", "="], named: ["\n": "\\n", "\r": "\\r"])
}
