import Glibc

/// The LineFramer stage: cuts a stream of decoded chunks into lines, whatever the chunk sizes.
///
/// ```
///  chunks  | {"a":1}\n{"b | ":2}\r\n{"c":3}\n{" |
///  lines   | {"a":1} | {"b":2} | {"c":3} |        ({"  waits for the next chunk)
/// ```
///
/// A line that lies wholly inside a chunk is handed out in place, without copying; only a line
/// that spans chunks is gathered in a carry buffer, which never grows past `maxLineLength`:
/// a longer line is skipped to its end and reported through
/// `LineHandler.handleOverlongLine(at:length:)`. `\n` ends a line; a `\r` before it is dropped.
/// The bytes after the last `\n` are a line only once `finish(into:)` says the input ended.
public struct LineFramer {
  /// The default longest line: 1 MiB, far above any real audit record (Salesforce caps a
  /// `Query` field at 32 KB), small enough that a binary file cannot make us buffer gigabytes.
  public static let defaultMaxLineLength = 1 << 20

  /// The longest line, in bytes without terminator, that is handed out.
  public let maxLineLength: Int

  /// The position of the line being gathered (or the next one).
  public private(set) var nextPosition = LinePosition(number: 1, offset: 0)
  /// The decoded byte offset just past everything fed so far.
  public private(set) var fedOffset: Int64 = 0

  /// The start of a line that spans chunks.
  private var partial: PartialRecord

  /// - Parameter start: where the first byte fed sits in the input: the start of a line (a
  ///   resumed input starts at the line after the last one processed).
  public init(
    maxLineLength: Int = LineFramer.defaultMaxLineLength,
    startingAt start: LinePosition = LinePosition(number: 1, offset: 0)
  ) {
    precondition(maxLineLength > 0, "maxLineLength must be positive")
    self.maxLineLength = maxLineLength
    partial = PartialRecord(maxLength: maxLineLength)
    nextPosition = start
    fedOffset = start.offset
  }

  /// Whether bytes of an unfinished line are waiting for the next chunk.
  public var hasPartialLine: Bool { !partial.isEmpty }

  /// Hands every line completed by `chunk` to `handler`.
  public mutating func feed<Handler: LineHandler>(
    _ chunk: UnsafeRawBufferPointer,
    into handler: inout Handler
  ) throws {
    guard let base = chunk.baseAddress, !chunk.isEmpty else { return }
    let chunkOffset = fedOffset
    fedOffset += Int64(chunk.count)
    var start = 0
    while start < chunk.count {
      guard let newline = memchr(base + start, 0x0A, chunk.count - start) else {
        partial.append(UnsafeRawBufferPointer(rebasing: chunk[start...]))
        return
      }
      let end = UnsafeRawPointer(newline) - base
      let piece = UnsafeRawBufferPointer(rebasing: chunk[start..<end])
      if hasPartialLine {
        partial.append(piece)
        try partial.emit(at: nextPosition, into: &handler)
      } else {
        try PartialRecord.emit(piece, at: nextPosition, maxLength: maxLineLength, into: &handler)
      }
      start = end + 1
      nextPosition = LinePosition(number: nextPosition.number + 1, offset: chunkOffset + Int64(start))
    }
  }

  /// Hands the last line to `handler` if the input does not end with a newline.
  ///
  /// Call it once the input has ended for good; while following a file that may still grow,
  /// do not: the partial line is completed by the next write.
  public mutating func finish<Handler: LineHandler>(into handler: inout Handler) throws {
    guard hasPartialLine else { return }
    try partial.emit(at: nextPosition, into: &handler)
    nextPosition = LinePosition(number: nextPosition.number + 1, offset: fedOffset)
  }
}
