import ExfilWatchFramer

/// A line as a test sees it: its bytes (or nil when skipped as overlong), length and position.
struct FramedLine: Equatable, CustomStringConvertible {
  var bytes: [UInt8]?
  var length: Int
  var position: LinePosition

  var description: String {
    let text = bytes.map { String(decoding: $0, as: UTF8.self).debugDescription } ?? "<overlong>"
    return "\(position.number)@\(position.offset):\(length):\(text)"
  }
}

/// Collects every line a framer hands out.
struct CollectingHandler: LineHandler {
  var lines: [FramedLine] = []

  mutating func handleLine(_ line: UnsafeRawBufferPointer, at position: LinePosition) {
    lines.append(FramedLine(bytes: Array(line), length: line.count, position: position))
  }

  mutating func handleOverlongLine(at position: LinePosition, length: Int) {
    lines.append(FramedLine(bytes: nil, length: length, position: position))
  }
}

/// Frames `text` with `framer`, fed in chunks of the given sizes (cycled; none means all at
/// once), then finishes.
func frameRecords<Framer: RecordFramer>(
  _ text: [UInt8], with framer: inout Framer, chunkSizes: [Int]
) throws -> [FramedLine] {
  var handler = CollectingHandler()
  var start = 0
  var chunkIndex = 0
  try text.withUnsafeBytes { all in
    while start < all.count {
      let size = max(1, chunkSizes.isEmpty ? all.count : chunkSizes[chunkIndex % chunkSizes.count])
      let end = min(all.count, start + size)
      try framer.feed(UnsafeRawBufferPointer(rebasing: all[start..<end]), into: &handler)
      start = end
      chunkIndex += 1
    }
  }
  try framer.finish(into: &handler)
  return handler.lines
}

/// Frames `text` into lines, fed in chunks of the given sizes.
func frame(_ text: [UInt8], chunkSizes: [Int], maxLineLength: Int) throws -> [FramedLine] {
  var framer = LineFramer(maxLineLength: maxLineLength)
  return try frameRecords(text, with: &framer, chunkSizes: chunkSizes)
}

/// The reference: the whole text split at once, with the same rules (`\n` ends a line, a `\r`
/// before it is dropped, a last line without `\n` still counts, over-long lines are skipped).
func splitAtOnce(_ text: [UInt8], maxLineLength: Int) -> [FramedLine] {
  var pieces = text.split(separator: 0x0A, omittingEmptySubsequences: false)
  if pieces.last?.isEmpty == true { pieces.removeLast() }
  var offset: Int64 = 0
  return pieces.enumerated().map { index, piece in
    let content = piece.last == 0x0D ? piece.dropLast() : piece
    let position = LinePosition(number: index + 1, offset: offset)
    offset += Int64(piece.count + 1)
    let kept = content.count <= maxLineLength ? Array(content) : nil
    return FramedLine(bytes: kept, length: content.count, position: position)
  }
}
