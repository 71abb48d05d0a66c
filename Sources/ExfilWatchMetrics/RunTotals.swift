/// What a run has done since the process started, as its metrics report it.
///
/// The run keeps these counts anyway (for its summary and its state); they are gathered into
/// one value when metrics are published (after a `tail` round, at the end of a `scan`), never
/// counted per event a second time.
public struct RunTotals: Sendable, Equatable {
  /// Bytes taken from the inputs as stored (compressed or not).
  public var readBytes: Int64 = 0
  /// Bytes after decoding: the text the parser read.
  public var decodedBytes: Int64 = 0
  /// Events parsed, by log format (`sf-rtem`, `okta`, ...).
  public var events: [String: Int] = [:]
  /// Records rejected, by log format and reason (`bad-json`, `no-time`, ...).
  public var rejectedRecords: [Rejection: Int] = [:]
  /// Events older than the watermark when they arrived.
  public var lateEvents = 0
  /// Events stamped far ahead of the others that no later events confirmed (a wrong clock).
  public var clockOutliers = 0
  /// Finding messages made (an incident's first finding and each update), by severity.
  public var findings: [String: Int] = [:]
  /// Failed attempts to hand findings to a sink (a write that failed, a send retried or
  /// refused), by sink name.
  public var deliveryFailures: [String: Int] = [:]
  /// Findings waiting for a remote sink (spooled at each commit), by sink name.
  public var spooledFindings: [String: Int] = [:]
  /// Keys (actor, client, IP...) the detector keeps a baseline for.
  public var trackedKeys = 0
  public var windowsJudged = 0
  public var windowsFlagged = 0
  /// The newest event time seen, in milliseconds since 1970; nil before any event.
  public var newestEventTime: Int64?

  /// A log format and a reason its records were rejected for.
  public struct Rejection: Hashable, Sendable {
    public var format: String
    public var reason: String

    public init(format: String, reason: String) {
      self.format = format
      self.reason = reason
    }
  }

  public init() {}
}
