import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchSource

extension FuzzTarget {
  /// The reading stages together on one input, codec and format recognised, as
  /// `exfilwatch events` runs them: `StreamDecoder` → `EventParser`.
  ///
  /// The input is read as a file (large reads and chunks) and as a slow pipe (7-byte reads,
  /// 64-byte decoded chunks): events, rejects and the outcome must agree. A complete input is
  /// then read again from the middle, at the restart point of one of its events, the way a
  /// run resumes where the previous one stopped: it must give exactly the events from there on.
  @discardableResult
  public static func pipeline(_ bytes: UnsafeRawBufferPointer) -> Int {
    let input = Array(bytes)
    // One table for every reading: interning is idempotent, so equal events compare equal.
    let symbols = SymbolTable()
    let file = PipelineReading(input, symbols: symbols, options: DecoderOptions(maxWindowBytes: 8 << 20))
    let pipe = PipelineReading(
      input, symbols: symbols,
      options: DecoderOptions(maxWindowBytes: 8 << 20, inputBufferBytes: 64, outputBufferBytes: 64),
      maxReadBytes: 7)
    file.expectSame(as: pipe)
    file.expectResumable(from: input, symbols: symbols)
    return file.records.events.count
  }
}

/// One reading of an input through the Decoder and Parser stages.
struct PipelineReading {
  /// Decoded inputs are cut short past this size: parsing more of a decompression bomb only
  /// makes the execution slow.
  static let maxDecodedBytes: Int64 = 1 << 20

  var records = ParsedRecords()
  /// The error that stopped the input: its description for a parse error, the kind of failure
  /// for a decode error (whose offset depends on the buffer sizes).
  var failure: String?
  var decodeFailed = false
  var cut = false
  private let decoder: StreamDecoder
  private let parser: EventParser

  init(
    _ input: [UInt8], symbols: SymbolTable, options: DecoderOptions, maxReadBytes: Int = .max,
    resuming: (point: ResumePoint, parsing: ParserResumption, line: Int)? = nil
  ) {
    let bytes = resuming.map { Array(input[Int($0.point.unitOffset)...]) } ?? input
    let source = MemoryByteSource(bytes: bytes, maxReadBytes: maxReadBytes)
    let parserOptions = ParserOptions()
    // Logical reads are counted after the merge, as in `InputCursor`, so a resumed reading
    // gives the same events.
    if let resuming {
      decoder = StreamDecoder(source: source, options: options, resumingAt: resuming.point)
      parser = try! EventParser(
        inputName: "fuzz", symbols: symbols, options: parserOptions, operations: nil,
        resuming: resuming.parsing, atLine: resuming.line, offset: resuming.point.decodedOffset)
    } else {
      decoder = StreamDecoder(source: source, options: options)
      parser = EventParser(inputName: "fuzz", symbols: symbols, options: parserOptions, operations: nil)
    }
    do {
      while let chunk = try decoder.nextChunk() {
        try parser.feed(chunk, into: &records)
        if decoder.decodedOffset >= Self.maxDecodedBytes {
          cut = true
          return
        }
      }
      try parser.finish(into: &records)
    } catch let error as DecodeError {
      decodeFailed = true
      failure = "decoding: " + String("\(error.reason)".prefix { $0 != "(" })
    } catch {
      failure = "\(error)"
    }
    records.check(against: parser.summary)
  }

  /// The same events and rejects, and the same outcome.
  ///
  /// Damaged compressed data is found after a different amount of decoding depending on the
  /// buffer sizes: the reading with the larger buffer may hit it before parsing the records
  /// ahead of it, the other may first stop on those records (a wrong format), or parse further
  /// into a damaged block. So when either reading hit a decode error, both must have failed,
  /// and one reading's records must only begin the other's. A frame refused for its window may
  /// be decoded in one pass by the other reading (see `Decoding.expectSame(as:)`).
  func expectSame(as other: PipelineReading) {
    guard !cut && !other.cut else { return }
    let windowRefused = [failure, other.failure].contains("decoding: windowTooLarge")
    if decodeFailed || other.decodeFailed {
      expect(windowRefused || (failure != nil && other.failure != nil), "the outcome depends on chunk sizes: \(failure ?? "none") vs \(other.failure ?? "none")")
      let events = min(records.events.count, other.records.events.count)
      let rejects = min(records.rejects.count, other.records.rejects.count)
      expect(records.events.prefix(events) == other.records.events.prefix(events), "events depend on chunk sizes")
      expect(records.rejects.prefix(rejects) == other.records.rejects.prefix(rejects), "rejects depend on chunk sizes")
    } else {
      expect(failure == other.failure, "the outcome depends on chunk sizes: \(failure ?? "none") vs \(other.failure ?? "none")")
      expect(records.events == other.records.events, "events depend on chunk sizes")
      expect(records.rejects == other.records.rejects, "rejects depend on chunk sizes")
    }
  }

  /// Reads the input again from the restart point of one of its events (the first too: a run
  /// stopped before handing any on resumes there) and expects the same events from there.
  func expectResumable(from input: [UInt8], symbols: SymbolTable) {
    let events = records.events
    // An input with elements of an array among its lines is resumed by count, not position
    // (`EventParser.unresumableRecords`).
    guard failure == nil, !cut, !events.isEmpty, let parsing = parser.resumption, parser.unresumableRecords == 0
    else { return }
    let resumeAt = events[input.count % events.count].origin
    guard let point = decoder.restartPoint(forDecodedOffset: resumeAt.offset) else {
      fatalError("no restart point for a decoded offset with every unit start remembered")
    }
    let resumed = PipelineReading(
      input, symbols: symbols, options: DecoderOptions(maxWindowBytes: 8 << 20),
      resuming: (point, parsing, resumeAt.line))
    expect(resumed.failure == nil, "a resumed reading failed: \(resumed.failure!)")
    expect(resumed.records.events[...] == events.drop { $0.origin.offset < resumeAt.offset }, "a resumed reading gave other events")
  }
}
