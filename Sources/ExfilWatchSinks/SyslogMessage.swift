import ExfilWatchEvent

/// One RFC 5424 syslog message, written as bytes without transport framing:
///
///     <83>1 2025-07-04T21:16:00.000Z ingest-01 exfilwatch 4121 bulk_read_by_client
///     [exfilwatch@32473 finding_id="exw-1f3a9c0e2b7d4e51" records="612000"] {"class_uid":2004,...}
///
/// (one line on the wire). Every field is made safe for the frame here, whatever it holds:
/// HOSTNAME, APP-NAME, PROCID and MSGID keep only printable ASCII (anything else becomes `_`)
/// up to their RFC lengths and are `-` (NILVALUE) when empty; PARAM-VALUEs escape `"`, `\`
/// and `]` and write control characters as visible escapes; the MSG is sent as given, so the
/// caller makes it single-line (JSON and CEF are).
public struct SyslogMessage: Sendable {
  public var facility: SyslogFacility
  public var severity: SyslogSeverity
  /// TIMESTAMP, epoch milliseconds, written in UTC with milliseconds.
  public var time: Int64
  public var hostname: String?
  public var appName: String?
  public var processID: String?
  public var messageID: String?
  /// The one STRUCTURED-DATA element, or nil for `-`.
  public var structuredData: SyslogStructuredData?
  /// MSG; empty for none.
  public var body: [UInt8]

  public init(
    facility: SyslogFacility, severity: SyslogSeverity, time: Int64, hostname: String?,
    appName: String?, processID: String?, messageID: String?,
    structuredData: SyslogStructuredData?, body: [UInt8]
  ) {
    self.facility = facility
    self.severity = severity
    self.time = time
    self.hostname = hostname
    self.appName = appName
    self.processID = processID
    self.messageID = messageID
    self.structuredData = structuredData
    self.body = body
  }

  /// Everything before the MSG: PRI, VERSION, header fields and STRUCTURED-DATA, without the
  /// space that separates the MSG.
  public var headBytes: [UInt8] {
    let fields = [
      "<\(facility.rawValue * 8 + severity.rawValue)>1",
      Self.rfc3339(milliseconds: time),
      Self.headerField(hostname, maximumLength: 255),
      Self.headerField(appName, maximumLength: 48),
      Self.headerField(processID, maximumLength: 128),
      Self.headerField(messageID, maximumLength: 32),
      structuredData?.text ?? "-",
    ]
    return Array(fields.joined(separator: " ").utf8)
  }

  /// The whole message.
  public var bytes: [UInt8] {
    body.isEmpty ? headBytes : headBytes + [UInt8(ascii: " ")] + body
  }

  /// `2025-07-04T21:16:00.250Z`: RFC 3339 in UTC with milliseconds, as RFC 5424's TIMESTAMP
  /// and as the structured data's times, so a receiver parses both the same way.
  static func rfc3339(milliseconds time: Int64) -> String {
    let seconds = DisplayText.utcSeconds(time).dropLast()
    let fraction = String((time % 1000 + 1000) % 1000)
    return "\(seconds).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)Z"
  }

  /// A header field or SD-NAME: printable ASCII (33 to 126) other than `excluded`, anything
  /// else replaced by `_`, cut to `maximumLength`; `-` when nothing is left.
  static func headerField(
    _ text: String?, maximumLength: Int, excluded: Set<UInt8> = []
  ) -> String {
    let bytes = (text ?? "").utf8.prefix(maximumLength).map { byte in
      (33...126).contains(byte) && !excluded.contains(byte) ? byte : UInt8(ascii: "_")
    }
    return bytes.isEmpty ? "-" : String(decoding: bytes, as: UTF8.self)
  }
}

/// One RFC 5424 SD-ELEMENT: `[id name="value" ...]`.
public struct SyslogStructuredData: Sendable {
  /// The SD-ID; a private one is `name@<IANA enterprise number>`.
  public var id: String
  /// PARAM-NAMEs and their values, in the order they are written.
  public var parameters: [(name: String, value: String)]

  public init(id: String, parameters: [(name: String, value: String)]) {
    self.id = id
    self.parameters = parameters
  }

  /// Characters an SD-NAME may not hold besides spaces and controls.
  private static let nameExclusions: Set<UInt8> = [
    UInt8(ascii: "="), UInt8(ascii: "]"), UInt8(ascii: "\""),
  ]

  var text: String {
    var text = "[" + Self.name(id)
    for (name, value) in parameters {
      text += " \(Self.name(name))=\"\(WireTextEscaping.structuredDataValue(value))\""
    }
    return text + "]"
  }

  private static func name(_ text: String) -> String {
    SyslogMessage.headerField(text, maximumLength: 32, excluded: nameExclusions)
  }
}
