import ExfilWatchEvent

/// What the detector saw, for the run summary.
public struct DetectorStatistics: Sendable, Equatable, Codable {
  public var events = 0
  public var reads = 0
  public var records: Int64 = 0
  /// Events that arrived after the watermark had passed their time. They are counted here and
  /// their records still go into every window not yet judged that holds them.
  public var lateEvents = 0
  public var lateRecords: Int64 = 0
  /// Of the late events, those too old for any window still kept (counted, not windowed).
  public var tooLateEvents = 0
  /// Events stamped far ahead of the others and not confirmed by the events after them (a
  /// wrong clock): counted, not judged (`EventTimeGuard`).
  public var clockOutliers = 0
  /// Where the first of them came from, for the warning.
  public var firstClockOutlier: EventOrigin?
  public var firstEventTime: Int64?
  public var newestEventTime: Int64?
  /// When the warm-up ends (event time); windows ending before it teach but are not flagged.
  public var warmUpEnd: Int64?
  public var trackedKeys = 0
  /// Keys forgotten because the cap on tracked keys was reached.
  public var evictedKeys = 0
  /// Keys made since the start (a key forgotten and seen again counts again).
  public var keysCreated = 0
  /// The event time of the last eviction: a flood finding is raised when evictions start
  /// after a quiet period without any.
  public var lastEvictionTime: Int64?
  public var windowsJudged = 0
  public var windowsFlagged = 0
  /// Findings handed out by `takeFindings()`.
  public var findings = 0

  public init() {}

  /// Whether the events seen so far reach past the warm-up.
  public var warmUpComplete: Bool {
    guard let newestEventTime, let warmUpEnd else { return false }
    return newestEventTime >= warmUpEnd
  }
}
