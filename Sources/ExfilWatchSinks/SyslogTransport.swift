/// How syslog messages reach the receiver, written as the user gives it: `udp://HOST:PORT`,
/// `tcp://HOST:PORT` or `unix:///PATH`.
///
/// HOST is a name, an IPv4 address or a bracketed IPv6 address (`[::1]`); the port is
/// required, since 514 (UDP), 601 (TCP) and the 5514 or 10514 common behind firewalls are all
/// in use, and a guessed port loses findings silently over UDP.
public enum SyslogTransport: Sendable, Equatable, CustomStringConvertible {
  /// RFC 5426: one message per datagram. Cheap and unacknowledged: a receiver that is down
  /// loses what is sent meanwhile.
  case udp(host: String, port: UInt16)
  /// RFC 6587 with octet counting (`LEN SP MSG`), the framing every receiver parses exactly
  /// whatever the message holds. A connection is kept open between messages.
  case tcp(host: String, port: UInt16)
  /// A local socket such as `/dev/log`, where the system's syslog daemon or journald listens:
  /// a datagram socket, or a stream socket with each message ended by a NUL byte, as glibc's
  /// `syslog(3)` writes it.
  case unix(path: String)

  /// The forms `init(parsing:)` accepts, for help and error texts.
  public static let acceptedForms = ["udp://HOST:PORT", "tcp://HOST:PORT", "unix:///PATH"]

  /// The longest socket path the kernel takes (`sun_path` holds 108 bytes with the NUL).
  static let maximumPathBytes = 107

  public init(parsing text: String) throws(SyslogConfigurationError) {
    func invalid(_ problem: String) -> SyslogConfigurationError {
      SyslogConfigurationError(setting: "transport", text: text, problem: problem)
    }
    guard let separator = text.firstRange(of: "://") else { throw invalid("no scheme") }
    let scheme = text[..<separator.lowerBound]
    let rest = String(text[separator.upperBound...])
    switch scheme {
    case "unix":
      guard rest.hasPrefix("/") else { throw invalid("unix needs an absolute socket path") }
      guard rest.utf8.count <= Self.maximumPathBytes else {
        throw invalid("the socket path is longer than \(Self.maximumPathBytes) bytes")
      }
      self = .unix(path: rest)
    case "udp", "tcp":
      let (host, port) = try Self.hostAndPort(rest, invalid: invalid)
      self = scheme == "udp" ? .udp(host: host, port: port) : .tcp(host: host, port: port)
    default:
      throw invalid("unknown scheme '\(scheme)'")
    }
  }

  /// `HOST:PORT` or `[IPV6]:PORT`.
  private static func hostAndPort(
    _ text: String, invalid: (String) -> SyslogConfigurationError
  ) throws(SyslogConfigurationError) -> (String, UInt16) {
    let host: Substring
    let afterHost: Substring
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { throw invalid("no ']' after the IPv6 address") }
      host = text[text.index(after: text.startIndex)..<close]
      afterHost = text[text.index(after: close)...]
    } else if let colon = text.lastIndex(of: ":") {
      host = text[..<colon]
      afterHost = text[colon...]
      guard !host.contains(":") else { throw invalid("an IPv6 address must be in brackets: [::1]:514") }
    } else {
      host = Substring(text)
      afterHost = ""
    }
    guard !host.isEmpty else { throw invalid("no host") }
    guard !host.contains(where: { $0 == "/" || $0.isWhitespace }) else {
      throw invalid("the host is not a name or an address")
    }
    guard afterHost.count > 1 else { throw invalid("no port") }
    guard afterHost.hasPrefix(":") else { throw invalid("'\(afterHost)' after the host") }
    let digits = afterHost.dropFirst()
    guard digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
      let port = UInt16(digits), port > 0
    else { throw invalid("the port must be a number from 1 to 65535") }
    return (String(host), port)
  }

  /// The transport as the user would write it: `tcp://127.0.0.1:5514`, `udp://[::1]:514`.
  public var description: String {
    switch self {
    case .udp(let host, let port): "udp://\(Self.bracketed(host)):\(port)"
    case .tcp(let host, let port): "tcp://\(Self.bracketed(host)):\(port)"
    case .unix(let path): "unix://\(path)"
    }
  }

  private static func bracketed(_ host: String) -> String {
    host.contains(":") ? "[\(host)]" : host
  }
}
