import ExfilWatchDetector

/// One finding rendered for one remote destination: the exact bytes to send.
///
/// The bytes are fixed when the finding is judged, not when it is sent, so a message kept in
/// the spool across runs (the receiver was down) goes out later exactly as it would have then,
/// and a receiver that deduplicates by `findingID` and `revision` sees the same message on
/// every retry.
public struct OutgoingMessage: Sendable, Equatable, Codable {
  public var findingID: String
  public var revision: Int
  public var body: [UInt8]

  public init(findingID: String, revision: Int, body: [UInt8]) {
    self.findingID = findingID
    self.revision = revision
    self.body = body
  }
}

/// What became of one attempt to send a message.
public enum SendOutcome: Sendable, Equatable {
  /// The receiver acknowledged it: the run may record the finding as delivered.
  case delivered
  /// It may get through later (connection refused or reset, a timeout, HTTP 429 or 5xx).
  /// `after` is the receiver's own wait in seconds (`Retry-After`), when it gave one.
  case retry(after: Double?, reason: String)
  /// The receiver refused it for good (HTTP 4xx other than 429): sending it again would be
  /// refused again.
  case rejected(reason: String)
}

/// A remote destination of findings (webhook, syslog): renders a finding into the bytes to
/// send and sends them, one message at a time.
///
/// Senders know nothing of queues, retries or spools; `QueuedDelivery` does that the same way
/// for every destination, on its own thread, so a slow or dead receiver never holds up the
/// detector or another sink.
public protocol MessageSender: Sendable {
  /// Where messages go, safe to print: no secrets (a Slack webhook's path is one).
  var destination: String { get }

  /// The bytes of one finding's message, made once when the finding is judged.
  func render(_ finding: Finding) -> OutgoingMessage

  /// Sends one message and waits at most `timeout` seconds for the receiver to take it.
  mutating func send(_ message: OutgoingMessage, timeout: Double) -> SendOutcome

  /// Lets go of connections; the next `send` opens a new one if it needs one.
  mutating func close()
}
