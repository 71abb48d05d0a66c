import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchSource

/// One open input, read as a pull-based sequence of events in file order.
///
/// The parser pushes events as it finds them; the merge must pull, one input at a time, in
/// event-time order. The cursor bridges the two by decoding and parsing one chunk at a time
/// into a buffer of that chunk's events, which the merge takes from the front. The buffer keeps
/// its capacity from chunk to chunk, so a warm cursor allocates nothing per event, and memory
/// stays bounded by one decoded chunk's events whatever the input's size.
///
/// Rejected records go to the merge's handler as they are parsed (their bytes live only that
/// long). Failures of the input are kept, not thrown: the events parsed before the failure are
/// still handed out, then the cursor is exhausted and `state` holds the error.
///
/// The cursor can start at an `InputPosition` and tell its own at any moment between events
/// (`position`), which is how runs resume.
final class InputCursor {
  enum State {
    case reading
    case finished
    case failed(any Error)
  }

  let name: String
  private(set) var state = State.reading
  private let start: InputPosition
  private let decoder: StreamDecoder
  private let parser: EventParser
  /// Counts logical reads as events are handed out, in merged time order.
  private let operations: ReadOperationTracker
  /// Whether the input may still grow: its end is where the writer has got to, so a last line
  /// without newline, or an unfinished frame, waits for a later run instead of being taken.
  private let mayGrow: Bool
  /// Events and rejects parsed so far, including those skipped as handed on by an earlier run.
  fileprivate var eventsParsed = 0
  fileprivate var rejectsParsed = 0
  /// Decoded offsets of the rejects parsed since the buffer was last refilled.
  fileprivate var recentRejectOffsets: [Int64] = []
  /// The current chunk's events; those from `next` on are not handed out yet. Only the cursor
  /// and its collector, one call at a time, touch it: exempt from dynamic exclusivity checks,
  /// which would otherwise run twice per event.
  @exclusivity(unchecked) fileprivate var events: [AccessEvent] = []
  @exclusivity(unchecked) private var next = 0
  /// Whether the buffer holds events a later run cannot start again at (the elements of an
  /// array among JSON lines): its position is then told by count (`positionFromStart`).
  private var bufferHasUnresumable = false
  /// The time of the last event handed out, if any.
  private(set) var lastHandedTime: Int64?

  /// - Parameter source: positioned at `start`'s restart point.
  init(
    name: String, source: any ByteSource, start: InputPosition, symbols: SymbolTable,
    parserOptions: ParserOptions, decoderOptions: DecoderOptions, operations: ReadOperationTracker,
    mayGrow: Bool
  ) throws {
    self.name = name
    self.start = start
    self.operations = operations
    self.mayGrow = mayGrow
    if let restart = start.restart {
      decoder = StreamDecoder(source: source, options: decoderOptions, resumingAt: restart.decoding)
      parser = try EventParser(
        inputName: name, symbols: symbols, options: parserOptions, operations: nil,
        resuming: restart.parsing, atLine: restart.line, offset: restart.decoding.decodedOffset)
    } else {
      decoder = StreamDecoder(source: source, options: decoderOptions)
      parser = EventParser(inputName: name, symbols: symbols, options: parserOptions, operations: nil)
    }
  }

  /// Marks the symbols the cursor holds: its input's name, and the events not handed out yet.
  func markSymbols(into marks: inout SymbolMarks) {
    marks.mark(parser.inputSymbol)
    for event in events[next...] { marks.mark(event) }
  }

  /// The time the merge orders the next event by, or `nil` when the buffer is empty.
  var headTime: Int64? {
    next < events.count ? mergeTime(next) : nil
  }

  /// How far ahead of the events around it an event may be and still be ordered by its own
  /// time (see `mergeTime`).
  var maxTimeJump: Int64 = .max

  /// The event's time, unless it is an island: far ahead of the event before it in this input
  /// (or, for the first, of the one after it) while the event after it is not. A record with a
  /// wrong clock would otherwise hold its whole input back until every other input had caught
  /// up with it, and the rest of that input would come too late; an island is handed on in
  /// its place in the file instead, where the detector knows it for what it is.
  ///
  /// The last buffered event has no next one to ask, so `refill` reads on while the last is far
  /// ahead of the one before; only at the (current) end of the input is it taken for an island
  /// without asking (a real gap is followed by more events past it, which the detector then
  /// confirms).
  @inline(__always)
  private func mergeTime(_ index: Int) -> Int64 {
    let time = events[index].time
    let next = index + 1 < events.count ? events[index + 1].time : nil
    guard let reference = index > 0 ? events[index - 1].time : lastHandedTime ?? next,
      time > reference &+ maxTimeJump, (next ?? reference) <= reference &+ maxTimeJump
    else { return time }
    return reference
  }

  var report: InputReport {
    // What this run read: from the restart point on (a resumed input drops what it decodes
    // before the resume offset, but decoding it was work done).
    InputReport(
      input: name, summary: parser.summary,
      compressedBytes: decoder.compressedOffset - (start.restart?.decoding.unitOffset ?? 0),
      decodedBytes: decoder.decodedOffset - (start.restart?.decoding.unitDecodedOffset ?? 0))
  }

  /// Where a later run must start to read what this one has not handed out yet.
  var position: InputPosition {
    let pendingSkips = max(start.rejectsBeyond - rejectsParsed, 0)
    // A failure can stop the parser inside a chunk: only counting is sure to be exact then.
    if case .failed = state { return positionFromStart }
    if let parsing = parser.resumption {
      let first: (line: Int, offset: Int64)?
      if next < events.count {
        if bufferHasUnresumable { return positionFromStart }
        first = (events[next].origin.line, events[next].origin.offset)
      } else {
        first = parser.nextRecordPosition.map { ($0.number, $0.offset) }
      }
      if let first, let decoding = decoder.restartPoint(forDecodedOffset: first.offset) {
        let rejectsAhead = recentRejectOffsets.count { $0 >= first.offset }
        return InputPosition(
          restart: InputPosition.Restart(decoding: decoding, parsing: parsing, line: first.line),
          rejectsBeyond: rejectsAhead + pendingSkips)
      }
    }
    return positionFromStart
  }

  /// The position as where this cursor started plus what it has handed on, to be skipped when
  /// read again: for records that cannot be found by position, and for an input looked at and
  /// closed again (read anew from its start, its summary then counts the whole input).
  var positionFromStart: InputPosition {
    InputPosition(
      restart: start.restart, eventsBeyond: max(eventsParsed - (events.count - next), start.eventsBeyond),
      rejectsBeyond: max(rejectsParsed, start.rejectsBeyond))
  }

  /// Decodes and parses chunks until one yields events (and, while the last event is far ahead
  /// of the one before, until the next one is read too), or the input ends or fails.
  ///
  /// Call it once the buffer is empty (`headTime == nil`); afterwards `headTime == nil` means
  /// the input is exhausted.
  /// - Throws: only what `handler` throws; the input's own errors end up in `state`.
  func refill<Handler: MergedEventHandler>(rejectsTo handler: inout Handler) throws {
    events.removeAll(keepingCapacity: true)
    next = 0
    recentRejectOffsets.removeAll(keepingCapacity: true)
    if let pending = parser.nextRecordPosition { decoder.forgetUnitStarts(before: pending.offset) }
    let unresumableBefore = parser.unresumableRecords
    defer { bufferHasUnresumable = parser.unresumableRecords != unresumableBefore }
    try withUnsafeMutablePointer(to: &handler) { handler in
      var collector = ChunkCollector(cursor: self, handler: handler)
      while events.isEmpty || lastEventAwaitsNext, case .reading = state {
        do {
          try readChunk(into: &collector)
        } catch let error as HandlerError {
          throw error.underlying
        } catch {
          state = .failed(error)
        }
      }
    }
  }

  /// Whether the last buffered event is far ahead of the one before it: only the event after
  /// it tells an island from the first event after a real gap (`mergeTime`).
  private var lastEventAwaitsNext: Bool {
    guard let last = events.last?.time,
      let reference = events.count > 1 ? events[events.count - 2].time : lastHandedTime
    else { return false }
    let (gap, overflow) = last.subtractingReportingOverflow(reference)
    return last > reference && (overflow || gap > maxTimeJump)
  }

  private func readChunk<Handler: MergedEventHandler>(into collector: inout ChunkCollector<Handler>) throws {
    switch try decoder.poll() {
    case .data(let chunk):
      try parser.feed(chunk, into: &collector)
    case .endOfInput where !mayGrow:
      try parser.finish(into: &collector)
      state = .finished
    case .unfinishedUnit where !mayGrow:
      throw decoder.truncationError()
    case .endOfInput, .unfinishedUnit:
      state = .finished
    }
  }

  /// Hands the buffered events whose time is at most `maxTime` to `handler`, stopping at the
  /// first later one.
  ///
  /// - Returns: how many events were handed out.
  func deliverEvents<Handler: MergedEventHandler>(
    through maxTime: Int64, to handler: inout Handler
  ) throws -> Int {
    let first = next
    var index = next
    defer {
      next = index
      if index > first { lastHandedTime = events[index - 1].time }
    }
    try events.withUnsafeBufferPointer { events in
      while index < events.count, mergeTime(index) <= maxTime {
        var event = events[index]
        index += 1  // before the call: an event the handler threw on has been handed out
        operations.count(&event)
        try handler.handleEvent(event)
      }
    }
    return index - first
  }

  /// Counts a parsed event, and says whether to hand it on (it was not handed on by an earlier
  /// reading of the input).
  fileprivate func countEvent() -> Bool {
    eventsParsed += 1
    return eventsParsed > start.eventsBeyond
  }

  /// Counts a parsed reject, and says whether to report it.
  fileprivate func countReject(at offset: Int64) -> Bool {
    rejectsParsed += 1
    recentRejectOffsets.append(offset)
    return rejectsParsed > start.rejectsBeyond
  }
}

/// Takes the parser's output for a cursor: events into the cursor's buffer, rejects on to the
/// merge's handler (through a pointer valid during `InputCursor.refill`).
private struct ChunkCollector<Handler: MergedEventHandler>: EventHandler {
  unowned let cursor: InputCursor
  let handler: UnsafeMutablePointer<Handler>

  mutating func handleEvent(_ event: AccessEvent) {
    if cursor.countEvent() { cursor.events.append(event) }
  }

  mutating func handleReject(_ reject: RejectedRecord) throws {
    guard cursor.countReject(at: reject.offset) else { return }
    do {
      try handler.pointee.handleReject(reject, input: cursor.name)
    } catch {
      throw HandlerError(underlying: error)
    }
  }
}

/// An error thrown by the merge's handler while the parser was running: it stops the merge,
/// unlike the input's own errors, so it is told apart from them on its way out of the parser.
private struct HandlerError: Error {
  var underlying: any Error
}
