/// The start of a line or record that continues in a later chunk, kept by the framers.
///
/// It never holds more than the framer's limit: past it, the bytes are only counted and the
/// record is reported as overlong when it ends. A `\r` before the terminating `\n` is not part
/// of a line, so the limit allows one byte for it and the reported length leaves it out.
struct PartialRecord {
  let maxLength: Int
  private var carry: [UInt8] = []
  /// The length of the overlong record being skipped, or nil when not skipping.
  private var overlongLength: Int?
  /// The last byte skipped, to leave a `\r` of `\r\n` out of the reported length.
  private var lastSkippedByte: UInt8 = 0

  init(maxLength: Int) {
    self.maxLength = maxLength
  }

  /// Whether bytes of an unfinished record are waiting.
  var isEmpty: Bool { carry.isEmpty && overlongLength == nil }

  /// Adds the next part of the record, or counts it once the record is over the limit.
  mutating func append(_ piece: UnsafeRawBufferPointer) {
    if let skipped = overlongLength {
      overlongLength = skipped + piece.count
      lastSkippedByte = piece.last ?? lastSkippedByte
    } else if carry.count + piece.count > maxLength + 1 {
      // Over the limit even if the last byte turns out to be the `\r` of a `\r\n`.
      overlongLength = carry.count + piece.count
      lastSkippedByte = piece.last ?? carry.last ?? 0
      carry.removeAll(keepingCapacity: true)
    } else {
      carry.append(contentsOf: piece)
    }
  }

  /// Forgets what was gathered (the bytes turned out not to be a record).
  mutating func discard() {
    carry.removeAll(keepingCapacity: true)
    overlongLength = nil
  }

  /// Hands the gathered record to `handler` and empties the buffer.
  mutating func emit<Handler: LineHandler>(at position: LinePosition, into handler: inout Handler) throws {
    defer { carry.removeAll(keepingCapacity: true) }
    if let skipped = overlongLength {
      overlongLength = nil
      let length = lastSkippedByte == 0x0D ? skipped - 1 : skipped
      try handler.handleOverlongLine(at: position, length: length)
      return
    }
    try carry.withUnsafeBytes { try Self.emit($0, at: position, maxLength: maxLength, into: &handler) }
  }

  /// Hands a complete record to `handler` without a trailing `\r`, or reports it as overlong.
  static func emit<Handler: LineHandler>(
    _ record: UnsafeRawBufferPointer, at position: LinePosition, maxLength: Int,
    into handler: inout Handler
  ) throws {
    let content = record.last == 0x0D ? UnsafeRawBufferPointer(rebasing: record.dropLast()) : record
    if content.count > maxLength {
      try handler.handleOverlongLine(at: position, length: content.count)
    } else {
      try handler.handleLine(content, at: position)
    }
  }
}

/// A framer: decoded chunks in, records (lines, CSV rows, JSON objects) out to a `LineHandler`.
public protocol RecordFramer {
  /// Hands every record completed by `chunk` to `handler`.
  mutating func feed<Handler: LineHandler>(_ chunk: UnsafeRawBufferPointer, into handler: inout Handler) throws

  /// Hands the last, unterminated record to `handler` once the input has ended for good.
  mutating func finish<Handler: LineHandler>(into handler: inout Handler) throws
}

extension LineFramer: RecordFramer {}
extension CSVRecordFramer: RecordFramer {}
extension JSONRecordFramer: RecordFramer {}
