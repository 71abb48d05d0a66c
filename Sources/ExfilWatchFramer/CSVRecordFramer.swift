import Glibc

/// The CSV side of the framing stage: cuts a stream of decoded chunks into CSV records, whatever
/// the chunk sizes. A record is not a line: a newline inside a quoted field does not end it.
///
/// ```
///  chunks   | "a","x\ny"\n"b | ","z"\r\n"c","w | \n |
///  records  | "a","x\ny" | "b","z" | "c","w" |
///  lines    | 1          | 3       | 4       |      (the record's first physical line)
/// ```
///
/// A `"` toggles "inside quotes" (a doubled `""` inside a quoted field toggles twice, which is
/// right), so a record ends at the first `\n` after which the record holds an even number of
/// quotes. That is the parity rule of SIMD CSV parsers: it lets the scan run on vectorised
/// `memchr` for `\n` plus a vectorised quote count of the span before it, never a byte-at-a-time
/// state machine. It is exact for RFC 4180 CSV (Salesforce Event Log Files quote every field);
/// a stray quote inside an unquoted field (`ab"c`) flips the parity too and glues records
/// together until the next stray quote, and the length limit bounds the damage.
///
/// As in `LineFramer`: a record that lies wholly inside a chunk is handed out in place, without
/// copying; only a record that spans chunks is gathered in a carry buffer, which never grows past
/// `maxRecordLength`: a longer record is skipped to its end and reported through
/// `LineHandler.handleOverlongLine(at:length:)`. A `\r` before the ending `\n` is dropped. The
/// bytes after the last record's end are a record only once `finish(into:)` says the input ended,
/// even when a quote is still open: the field splitter judges such a record.
///
/// `LinePosition.number` is the physical line (counted by `\n`, including those inside quotes)
/// where a record starts, so evidence points at the line an editor or `sed -n` shows.
public struct CSVRecordFramer {
  /// The default longest record: 1 MiB, as for lines (Salesforce caps a field at 32 KB and an
  /// event type has at most a few dozen fields), small enough that an unterminated quote cannot
  /// make us buffer the rest of the file.
  public static let defaultMaxRecordLength = 1 << 20

  /// The longest record, in bytes without terminator, that is handed out.
  public let maxRecordLength: Int

  /// The position of the record being gathered (or the next one).
  public private(set) var nextPosition = LinePosition(number: 1, offset: 0)
  /// The decoded byte offset just past everything fed so far.
  public private(set) var fedOffset: Int64 = 0

  /// The physical line the scan is on: `nextPosition.number` plus the newlines inside quotes
  /// seen so far in the current record.
  private var scanLine = 1
  /// Whether the bytes of the current record seen so far hold an odd number of quotes.
  private var insideQuotes = false
  /// The start of a record that spans chunks.
  private var partial: PartialRecord

  /// - Parameter start: where the first byte fed sits in the input: the start of a record
  ///   (a resumed input starts at the record after the last one processed).
  public init(
    maxRecordLength: Int = CSVRecordFramer.defaultMaxRecordLength,
    startingAt start: LinePosition = LinePosition(number: 1, offset: 0)
  ) {
    precondition(maxRecordLength > 0, "maxRecordLength must be positive")
    self.maxRecordLength = maxRecordLength
    partial = PartialRecord(maxLength: maxRecordLength)
    nextPosition = start
    fedOffset = start.offset
    scanLine = start.number
  }

  /// Whether bytes of an unfinished record are waiting for the next chunk.
  public var hasPartialRecord: Bool { !partial.isEmpty }

  /// Hands every record completed by `chunk` to `handler`.
  public mutating func feed<Handler: LineHandler>(
    _ chunk: UnsafeRawBufferPointer,
    into handler: inout Handler
  ) throws {
    guard let base = chunk.baseAddress, !chunk.isEmpty else { return }
    let chunkOffset = fedOffset
    fedOffset += Int64(chunk.count)
    var start = 0  // the current record's first byte in this chunk
    var scan = 0  // where the search for its end goes on
    while start < chunk.count {
      guard let newline = memchr(base + scan, 0x0A, chunk.count - scan) else {
        insideQuotes = insideQuotes != hasOddQuoteCount(base + scan, count: chunk.count - scan)
        partial.append(UnsafeRawBufferPointer(rebasing: chunk[start...]))
        return
      }
      let end = UnsafeRawPointer(newline) - base
      insideQuotes = insideQuotes != hasOddQuoteCount(base + scan, count: end - scan)
      scanLine += 1
      scan = end + 1
      // A newline inside a quoted field: part of the record, which goes on.
      guard !insideQuotes else { continue }
      let piece = UnsafeRawBufferPointer(rebasing: chunk[start..<end])
      if hasPartialRecord {
        partial.append(piece)
        try partial.emit(at: nextPosition, into: &handler)
      } else {
        try PartialRecord.emit(piece, at: nextPosition, maxLength: maxRecordLength, into: &handler)
      }
      start = scan
      nextPosition = LinePosition(number: scanLine, offset: chunkOffset + Int64(start))
    }
  }

  /// Hands the last record to `handler` if the input does not end with a newline (outside
  /// quotes), including a record whose quoted field is never closed.
  ///
  /// Call it once the input has ended for good; while following a file that may still grow,
  /// do not: the partial record is completed by the next write.
  public mutating func finish<Handler: LineHandler>(into handler: inout Handler) throws {
    guard hasPartialRecord else { return }
    try partial.emit(at: nextPosition, into: &handler)
    insideQuotes = false
    scanLine += 1
    nextPosition = LinePosition(number: scanLine, offset: fedOffset)
  }
}

/// Whether `count` bytes at `bytes` hold an odd number of `"`.
///
/// Only the parity matters, so 16-byte vectors are compared with `"` and the 0/1 lane results
/// XOR-ed together: no per-byte branch, and no counter that could overflow. The tail is one more
/// vector that overlaps bytes already counted, with those lanes masked out, so short spans cost
/// no scalar loop (spans under 16 bytes, e.g. an empty field's line, fall back to one).
@inline(__always)
private func hasOddQuoteCount(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
  typealias Vector = SIMD16<UInt8>
  let width = Vector.scalarCount
  guard count >= width else {
    var odd = false
    for index in 0..<count where bytes.load(fromByteOffset: index, as: UInt8.self) == 0x22 {
      odd.toggle()
    }
    return odd
  }
  let quote = Vector(repeating: 0x22)
  let one = Vector(repeating: 1)
  let zero = Vector()
  var parity = Vector()
  var index = 0
  while index + 4 * width <= count {
    let a = bytes.loadUnaligned(fromByteOffset: index, as: Vector.self)
    let b = bytes.loadUnaligned(fromByteOffset: index + width, as: Vector.self)
    let c = bytes.loadUnaligned(fromByteOffset: index + 2 * width, as: Vector.self)
    let d = bytes.loadUnaligned(fromByteOffset: index + 3 * width, as: Vector.self)
    parity ^= zero.replacing(with: one, where: a .== quote)
    parity ^= zero.replacing(with: one, where: b .== quote)
    parity ^= zero.replacing(with: one, where: c .== quote)
    parity ^= zero.replacing(with: one, where: d .== quote)
    index += 4 * width
  }
  while index + width <= count {
    let v = bytes.loadUnaligned(fromByteOffset: index, as: Vector.self)
    parity ^= zero.replacing(with: one, where: v .== quote)
    index += width
  }
  if index < count {
    // The last `width` bytes, of which the first `width - (count - index)` are counted already.
    let v = bytes.loadUnaligned(fromByteOffset: count - width, as: Vector.self)
    let lanes = Vector(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    let fresh = lanes .>= Vector(repeating: UInt8(width - (count - index)))
    parity ^= zero.replacing(with: one, where: (v .== quote) .& fresh)
  }
  return parity.wrappedSum() & 1 == 1
}
