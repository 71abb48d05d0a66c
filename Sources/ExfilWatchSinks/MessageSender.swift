import ExfilWatchDetector

/// One finding rendered for one remote destination: the exact bytes to send.
///
/// The bytes are fixed when the finding is judged, so every retry within a run sends the same
/// message. The finding travels with them: what is still waiting at a checkpoint is spooled as
/// the finding, and rendered again by the next run for the sink as it is configured then (a
/// sink renamed onto another format or transport gets messages it can take).
public struct OutgoingMessage: Sendable, Equatable {
  public var finding: Finding
  public var body: [UInt8]

  public init(finding: Finding, body: [UInt8]) {
    self.finding = finding
    self.body = body
  }

  /// The receiver's key for deduplicating (`Idempotency-Key`, `finding_id` + `revision`).
  public var findingID: String { finding.id }
  public var revision: Int { finding.revision }
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
