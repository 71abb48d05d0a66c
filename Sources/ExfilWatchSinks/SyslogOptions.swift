/// What a syslog message carries after its header and structured data.
public enum SyslogMessageFormat: String, Sendable, CaseIterable {
  /// The full OCSF Detection Finding as compact JSON, for receivers that forward to a SIEM
  /// which parses OCSF (or JSON) from the message.
  case rfc5424
  /// One ArcSight CEF line, for SIEMs that parse CEF out of syslog (ArcSight, QRadar, Sentinel's
  /// CEF connector).
  case cef
}

/// Everything the syslog sink needs to know besides the findings.
public struct SyslogOptions: Sendable, Equatable {
  /// rsyslog's default `maxMessageSize`: a message longer than this is cut by the default
  /// rsyslog (and many relays) wherever the limit falls, which for JSON means unparseable.
  /// Over UDP across a network a smaller limit (RFC 5426 suggests 2048) avoids IP
  /// fragmentation.
  public static let defaultMaxMessageBytes = 8192

  public var transport: SyslogTransport
  /// The facility findings are filed under; `authpriv` by default, since findings name users
  /// and IP addresses and most systems keep that facility from ordinary users.
  public var facility: SyslogFacility
  public var format: SyslogMessageFormat
  /// The longest message (without transport framing) sent on any transport. A longer one
  /// keeps its header and structured data but carries the finding's title and description as
  /// its MSG instead of JSON or CEF cut mid-way; see `SyslogFindingEncoder`.
  public var maxMessageBytes: Int
  /// The APP-NAME receivers filter on (`$programname == "exfilwatch"`); at most 48 printable
  /// ASCII characters are sent.
  public var appName: String
  /// Seconds one attempt (connecting included) may take, and how long the end of a run waits
  /// for the queue.
  public var timeout: Double

  public init(
    transport: SyslogTransport,
    facility: SyslogFacility = .authpriv,
    format: SyslogMessageFormat = .rfc5424,
    maxMessageBytes: Int = SyslogOptions.defaultMaxMessageBytes,
    appName: String = "exfilwatch",
    timeout: Double = 5
  ) {
    self.transport = transport
    self.facility = facility
    self.format = format
    self.maxMessageBytes = maxMessageBytes
    self.appName = appName
    self.timeout = timeout
  }
}
