import ExfilWatchDetector

/// The syslog facility: which subsystem a message is filed under, so the receiver's rules
/// (`authpriv.* /var/log/secure`) route it.
///
/// The names and numbers are the ones glibc's `<syslog.h>`, rsyslog and syslog-ng share.
/// Facilities 12 to 15 are left out: their names differ between systems (rsyslog reads
/// `security` as 4, RFC 5424 lists it as 13), and a name that files findings somewhere
/// unexpected is worse than an error.
public enum SyslogFacility: Int, Sendable, CaseIterable {
  case kern = 0
  case user = 1
  case mail = 2
  case daemon = 3
  case auth = 4
  case syslog = 5
  case lpr = 6
  case news = 7
  case uucp = 8
  case cron = 9
  /// Security and authorisation messages kept from ordinary users: the default for findings,
  /// which name users and IP addresses.
  case authpriv = 10
  case ftp = 11
  case local0 = 16
  case local1 = 17
  case local2 = 18
  case local3 = 19
  case local4 = 20
  case local5 = 21
  case local6 = 22
  case local7 = 23

  /// The facility with the name a syslog configuration uses for it (`authpriv`, `local3`).
  public init(parsing name: String) throws(SyslogConfigurationError) {
    guard let facility = Self.allCases.first(where: { $0.name == name }) else {
      throw SyslogConfigurationError(
        setting: "facility", text: name,
        problem: "unknown facility; expected one of: "
          + Self.allCases.map(\.name).joined(separator: ", "))
    }
    self = facility
  }

  /// The name, as written in syslog configurations: the case's own name.
  public var name: String {
    String(describing: self)
  }
}

/// The syslog severity (RFC 5424 section 6.2.1): how urgent the receiver should take the
/// message, the low three bits of PRI.
public enum SyslogSeverity: Int, Sendable {
  case emergency = 0
  case alert = 1
  case critical = 2
  case error = 3
  case warning = 4
  case notice = 5
  case informational = 6
  case debug = 7

  /// A finding's severity one for one: Critical is `crit`, High `err`, Medium `warning`, Low
  /// `notice`. A finding is never informational (it is always something to look at), and
  /// never `alert` or `emerg`, which mean the system itself is failing.
  public init(_ severity: Finding.Severity) {
    switch severity {
    case .critical: self = .critical
    case .high: self = .error
    case .medium: self = .warning
    case .low: self = .notice
    }
  }
}
