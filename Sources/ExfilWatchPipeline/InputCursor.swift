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
final class InputCursor {
  enum State {
    case reading
    case finished
    case failed(any Error)
  }

  let name: String
  private(set) var state = State.reading
  /// Rejected records parsed so far, whether delivered now or skipped as delivered before.
  private(set) var rejectsParsed = 0
  private let rejectsToSkip: Int
  private let decoder: StreamDecoder
  private let parser: EventParser
  /// Counts logical reads as events are handed out, in merged time order.
  private let operations: ReadOperationTracker
  /// The current chunk's events; those from `next` on are not handed out yet. Only the cursor
  /// and its collector, one call at a time, touch it: exempt from dynamic exclusivity checks,
  /// which would otherwise run twice per event.
  @exclusivity(unchecked) fileprivate var events: [AccessEvent] = []
  @exclusivity(unchecked) private var next = 0

  /// - Parameter rejectsToSkip: rejects already delivered by an earlier reading of this input,
  ///   not to be delivered again.
  init(
    name: String, source: any ByteSource, symbols: SymbolTable, parserOptions: ParserOptions,
    decoderOptions: DecoderOptions, operations: ReadOperationTracker, rejectsToSkip: Int
  ) {
    self.name = name
    decoder = StreamDecoder(source: source, options: decoderOptions)
    parser = EventParser(inputName: name, symbols: symbols, options: parserOptions, operations: nil)
    self.operations = operations
    self.rejectsToSkip = rejectsToSkip
  }

  /// The time of the next event, or `nil` when the buffer is empty.
  var headTime: Int64? {
    next < events.count ? events[next].time : nil
  }

  var report: InputReport {
    InputReport(
      input: name, summary: parser.summary, compressedBytes: decoder.compressedOffset,
      decodedBytes: decoder.decodedOffset)
  }

  /// Decodes and parses chunks until one yields events, or the input ends or fails.
  ///
  /// Call it once the buffer is empty (`headTime == nil`); afterwards `headTime == nil` means
  /// the input is exhausted.
  /// - Throws: only what `handler` throws; the input's own errors end up in `state`.
  func refill<Handler: MergedEventHandler>(rejectsTo handler: inout Handler) throws {
    events.removeAll(keepingCapacity: true)
    next = 0
    try withUnsafeMutablePointer(to: &handler) { handler in
      var collector = ChunkCollector(cursor: self, handler: handler)
      while events.isEmpty, case .reading = state {
        do {
          if let chunk = try decoder.nextChunk() {
            try parser.feed(chunk, into: &collector)
          } else {
            try parser.finish(into: &collector)
            state = .finished
          }
        } catch let error as HandlerError {
          throw error.underlying
        } catch {
          state = .failed(error)
        }
      }
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
    defer { next = index }
    try events.withUnsafeBufferPointer { events in
      while index < events.count, events[index].time <= maxTime {
        var event = events[index]
        index += 1  // before the call: an event the handler threw on has been handed out
        operations.count(&event)
        try handler.handleEvent(event)
      }
    }
    return index - first
  }

  /// Counts a reject, and says whether to deliver it (it was not delivered by an earlier
  /// reading of the input).
  fileprivate func countReject() -> Bool {
    rejectsParsed += 1
    return rejectsParsed > rejectsToSkip
  }
}

/// Takes the parser's output for a cursor: events into the cursor's buffer, rejects on to the
/// merge's handler (through a pointer valid during `InputCursor.refill`).
private struct ChunkCollector<Handler: MergedEventHandler>: EventHandler {
  unowned let cursor: InputCursor
  let handler: UnsafeMutablePointer<Handler>

  mutating func handleEvent(_ event: AccessEvent) {
    cursor.events.append(event)
  }

  mutating func handleReject(_ reject: RejectedRecord) throws {
    guard cursor.countReject() else { return }
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
