import ExfilWatchDecoder
import ExfilWatchParser

/// How far a run got in one input, so the next run reads on from there: never an event twice,
/// never one skipped.
///
/// Normally the restart point is the start of the first record not handed on yet (inside a
/// compressed file: its frame or member start plus the decoded bytes to drop). Where records
/// cannot be found by position (JSON arrays and wrappers), the restart point stays at the start
/// and the events already handed on are counted instead, to be skipped when read again. Rejected
/// records are reported as they are parsed, a little ahead of the events, so those already
/// reported beyond the restart point are counted too.
public struct InputPosition: Sendable, Hashable, Codable {
  /// Where reading starts again by position.
  public struct Restart: Sendable, Hashable, Codable {
    public var decoding: ResumePoint
    public var parsing: ParserResumption
    /// The line number at the restart point.
    public var line: Int

    public init(decoding: ResumePoint, parsing: ParserResumption, line: Int) {
      self.decoding = decoding
      self.parsing = parsing
      self.line = line
    }
  }

  /// `nil`: from the start of the input.
  public var restart: Restart?
  /// Events after the restart point already handed on.
  public var eventsBeyond: Int
  /// Rejected records after the restart point already reported.
  public var rejectsBeyond: Int

  public init(restart: Restart?, eventsBeyond: Int = 0, rejectsBeyond: Int = 0) {
    self.restart = restart
    self.eventsBeyond = eventsBeyond
    self.rejectsBeyond = rejectsBeyond
  }

  /// The start of an input never read.
  public static let start = InputPosition(restart: nil)
}
