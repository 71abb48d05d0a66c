import ExfilWatchDetector
import Glibc

/// Sends findings to a syslog receiver (rsyslog, syslog-ng, a SIEM's collector, journald
/// through `/dev/log`) as RFC 5424 messages; see `SyslogFindingEncoder` for what a message
/// holds and `SyslogTransport` for the transports.
///
/// `render` makes the whole message, timestamp included, and `send` only adds the
/// transport's framing (octet counting over TCP), so a message spooled while the receiver was
/// down goes out later exactly as rendered.
///
/// Syslog has no acknowledgement. `.delivered` means the operating system took the message:
/// over UDP a receiver that is down loses it (the refusal, if the network reports one, fails
/// the next send instead); over TCP the sender checks before each message that the receiver
/// has not closed the connection, and reconnects if it has, but bytes in flight when a
/// receiver dies are lost. A failure closes the connection and returns `.retry`; the next
/// send connects anew. Only a message too large for the transport to ever carry is
/// `.rejected`.
///
/// Copies of a sender share its open connection: send from one copy at a time.
public struct SyslogSender: MessageSender {
  public let options: SyslogOptions
  private let encoder: SyslogFindingEncoder
  private var connection: SyslogConnection?

  /// Connects nothing yet: the first `send` does.
  ///
  /// - Parameter productVersion: ExfilWatch's version, written into each OCSF finding or CEF
  ///   header.
  public init(options: SyslogOptions, productVersion: String) {
    self.options = options
    encoder = SyslogFindingEncoder(
      options: options, productVersion: productVersion, hostname: Self.hostname(),
      processID: getpid())
  }

  /// `syslog tcp://127.0.0.1:5514`.
  public var destination: String {
    "syslog \(options.transport)"
  }

  public func render(_ finding: Finding) -> OutgoingMessage {
    OutgoingMessage(finding: finding, body: encoder.encode(finding, at: Self.wallClockMilliseconds()))
  }

  public mutating func send(_ message: OutgoingMessage, timeout: Double) -> SendOutcome {
    let deadline = Deadline(secondsFromNow: timeout)
    if connection?.isClosedByPeer == true { connection = nil }
    do throws(SocketFailure) {
      let open: SyslogConnection
      if let connection {
        open = connection
      } else {
        open = try SyslogConnection.open(options.transport, before: deadline)
        connection = open
      }
      try open.send(message.body, before: deadline)
      return .delivered
    } catch {
      connection = nil
      return error.isPermanent ? .rejected(reason: error.reason) : .retry(after: nil, reason: error.reason)
    }
  }

  public mutating func close() {
    connection = nil
  }

  /// This machine's name, or nil when the system gives none.
  private static func hostname() -> String? {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count - 1) == 0 else { return nil }
    return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  private static func wallClockMilliseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
  }
}
