/// Watches the first bytes of a JSON input until they tell its shape (see `JSONRecordFramer`):
/// a `[` opens a document; a `{` opens JSON lines when its object ends on its first line and is
/// not a wrapper, a document otherwise; anything else, or a first record longer than the limit,
/// is read as lines.
///
/// The decision depends only on the bytes, never on how they were cut into chunks: each byte is
/// looked at once, line by line as lines complete (looking at all the bytes gathered again on
/// every chunk was quadratic, for a long first record delivered a few bytes at a time), and
/// only the bytes up to the first record's length limit are looked at, however many have
/// arrived. So memory stays bounded by about twice the limit, and the same input always gets
/// the same shape.
struct JSONShapeProbe {
  enum Shape {
    case lines
    case document
  }

  private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

  let maxRecordLength: Int
  /// Everything fed so far, for the framer to frame once the shape is known.
  private(set) var sniffed: [UInt8] = []
  /// How much of `sniffed` the search for the first significant byte has covered.
  private var searched = 0
  /// The index of the first byte that is neither whitespace nor part of a byte order mark.
  private var first: Int?
  /// How much of `sniffed` the scanner has been fed.
  private var probed = 0
  private var scanner: JSONDocumentScanner
  private var observer = FirstRecordObserver()

  init(maxRecordLength: Int) {
    self.maxRecordLength = maxRecordLength
    scanner = JSONDocumentScanner(maxRecordLength: maxRecordLength)
  }

  mutating func add(_ chunk: UnsafeRawBufferPointer) {
    sniffed.append(contentsOf: chunk)
  }

  /// The shape, or nil while the bytes so far do not tell it; never nil at the end.
  mutating func shape(atEnd: Bool) -> Shape? {
    if !atEnd && sniffed.count < Self.byteOrderMark.count && Self.byteOrderMark.starts(with: sniffed) {
      return nil  // perhaps a byte order mark, cut by the chunk
    }
    if first == nil {
      let start = max(searched, sniffed.starts(with: Self.byteOrderMark) ? Self.byteOrderMark.count : 0)
      first = sniffed[start...].firstIndex { !isJSONWhitespace($0) }
      searched = sniffed.count
    }
    guard let first, first <= maxRecordLength else {
      // Blank so far: only more than the limit of it, or the end, says "lines".
      return atEnd || sniffed.count > maxRecordLength ? .lines : nil
    }
    guard sniffed[first] == UInt8(ascii: "{") else {
      return sniffed[first] == UInt8(ascii: "[") ? .document : .lines
    }
    let limit = first + maxRecordLength + 1
    let end = min(sniffed.count, limit)
    // Line by line, deciding after each: what a line shows first (a record that ends, or a
    // wrapper) decides, not what the chunk happened to hold beyond it. A partial line is looked
    // at only once nothing more will come for it.
    while probed < end {
      let lineEnd = sniffed[probed..<end].firstIndex(of: 0x0A).map { $0 + 1 }
      guard let next = lineEnd ?? (atEnd || end == limit ? end : nil) else { return nil }
      sniffed.withUnsafeBytes { all in
        try? scanner.feed(UnsafeRawBufferPointer(rebasing: all[probed..<next]), into: &observer)
      }
      probed = next
      if scanner.sawWrapper { return .document }
      if let record = observer.firstRecord { return record.spansLines ? .document : .lines }
    }
    return atEnd || end == limit ? .lines : nil
  }
}

/// Notes whether the first record spans lines, to tell JSON lines from a document.
private struct FirstRecordObserver: LineHandler {
  var firstRecord: (line: Int, spansLines: Bool)?

  mutating func handleLine(_ line: UnsafeRawBufferPointer, at position: LinePosition) {
    guard firstRecord == nil else { return }
    firstRecord = (position.number, line.contains(0x0A))
  }

  mutating func handleOverlongLine(at position: LinePosition, length: Int) {
    if firstRecord == nil { firstRecord = (position.number, true) }
  }
}
