/// Where a line sits in the decoded stream, so later stages can point at their evidence.
public struct LinePosition: Equatable, Hashable, Sendable {
  /// The 1-based line number in the decoded input.
  public var number: Int
  /// The decoded byte offset of the line's first byte.
  public var offset: Int64

  public init(number: Int, offset: Int64) {
    self.number = number
    self.offset = offset
  }
}

/// Receives the lines a `LineFramer` cuts, in order (ripgrep's `Sink`, for lines).
///
/// The framer is generic over its handler, so each call is a direct, specialisable call, not a
/// dynamic dispatch per line.
public protocol LineHandler {
  /// A complete line without its terminator (`\n` or `\r\n`).
  ///
  /// `line` points into the framer's or decoder's buffer and is valid only during the call:
  /// copy what must outlive it.
  mutating func handleLine(_ line: UnsafeRawBufferPointer, at position: LinePosition) throws

  /// A line longer than the framer's limit, which was skipped rather than buffered.
  ///
  /// - Parameter length: the line's full length in bytes, without its terminator.
  mutating func handleOverlongLine(at position: LinePosition, length: Int) throws
}
