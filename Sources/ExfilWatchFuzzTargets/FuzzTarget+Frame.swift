import ExfilWatchFramer

extension FuzzTarget {
  /// The framers: `LineFramer`, `JSONRecordFramer` and `CSVRecordFramer` on decoded bytes.
  ///
  /// The first byte picks the framer (bits 0-1), the record length limit (bits 2-3: the
  /// default, or a tiny one so that the overlong paths run) and the small chunk size (bits 4-7).
  /// The rest is framed fed whole and fed in small chunks; both must hand out the same records
  /// at the same positions. Lines and CSV records are also checked against the input itself:
  /// each is the input's bytes at its offset, without its terminator, within the limit.
  @discardableResult
  public static func frame(_ bytes: UnsafeRawBufferPointer) -> Int {
    let (selector, input) = selector(of: bytes)
    let limits = [LineFramer.defaultMaxLineLength, 1, 8, 64]
    let maxLength = limits[Int(selector >> 2) & 3]
    let chunkSize = Int(selector >> 4) + 1
    func framed(chunkSize: Int) -> [FramedRecord] {
      switch selector & 3 {
      case 0: records(of: input, chunkSize: chunkSize, framer: LineFramer(maxLineLength: maxLength))
      case 1: records(of: input, chunkSize: chunkSize, framer: CSVRecordFramer(maxRecordLength: maxLength))
      default: records(of: input, chunkSize: chunkSize, framer: JSONRecordFramer(maxRecordLength: maxLength))
      }
    }
    let whole = framed(chunkSize: max(input.count, 1))
    expect(whole == framed(chunkSize: chunkSize), "records depend on chunk sizes")
    var previousOffset: Int64 = -1
    for record in whole {
      expect(record.position.offset > previousOffset, "records out of order: \(whole.map(\.position))")
      previousOffset = record.position.offset
      switch record.content {
      case .overlong(let length):
        expect(length > maxLength, "a record within the limit reported as overlong")
      case .line(let line):
        expect(line.count <= maxLength, "a record over the limit handed out")
        guard selector & 3 < 2 else { continue }
        let start = Int(record.position.offset)
        expect(input[start..<start + line.count].elementsEqual(line), "a record is not the input's bytes at its offset")
        expect(selector & 3 == 1 || !line.contains(0x0A), "a line holds a newline")
      }
    }
    return whole.count
  }

  private static func records(
    of input: UnsafeRawBufferPointer, chunkSize: Int, framer: some RecordFramer
  ) -> [FramedRecord] {
    var framer = framer
    var collector = RecordCollector()
    // The collector never throws, so neither do the framers.
    try! forEachChunk(of: input, size: chunkSize) { try framer.feed($0, into: &collector) }
    try! framer.finish(into: &collector)
    return collector.records
  }
}

/// A record as a framer handed it out.
struct FramedRecord: Equatable {
  enum Content: Equatable {
    case line([UInt8])
    case overlong(length: Int)
  }
  var content: Content
  var position: LinePosition
}

private struct RecordCollector: LineHandler {
  var records: [FramedRecord] = []

  mutating func handleLine(_ line: UnsafeRawBufferPointer, at position: LinePosition) {
    records.append(FramedRecord(content: .line(Array(line)), position: position))
  }

  mutating func handleOverlongLine(at position: LinePosition, length: Int) {
    records.append(FramedRecord(content: .overlong(length: length), position: position))
  }
}
