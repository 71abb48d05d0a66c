import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchSource

/// Reads many inputs and hands all their events on in event-time order, as the detector needs
/// them: the front of `exfilwatch replay` and `exfilwatch scan`.
///
/// ```
///  inputs ──first look──▶ MergeQueue ──top input──▶ InputCursor ──events──▶ handler
///  (files, stdin)         (next time,   opened when   (one decoded   in time order
///                          input order)  reached       chunk's events)
/// ```
///
/// **Few inputs open at once.** Months of daily archives must not mean thousands of open
/// descriptors and zstd contexts. So each input is first looked at alone: opened, read up to
/// its first event, and closed again. The queue then holds every input keyed by its first
/// event time, and an input is opened only when the merge reaches that time, and closed at its
/// end; daily files are read one or two at a time (`Statistics.maxOpenInputs`). Only an input
/// that cannot be read twice (standard input, a pipe: see `MergeInput`) stays open from its
/// first look on.
///
/// **Rejects once.** The first look delivers the rejects it parses (typically those before the
/// first event) and counts them; the reopened input skips that many before delivering again.
/// The parser is deterministic, so those are the same records. (The alternative, keeping the
/// first look's parser, would mean keeping its decoder and so the input open.)
///
/// **Order.** Events come by time; equal times in the order the inputs were given, then in
/// their order within the input. Within an input, events come in file order even where the file
/// itself is not sorted: an event earlier than what was already handed on is passed as it is,
/// and the detector counts it as late. The merge does not sort.
///
/// **Failures.** An input that cannot be opened, read, decoded or parsed has its events up to
/// that point delivered, then is reported once to `MergedEventHandler.handleInputFailure`; the
/// merge goes on with the others. Only an error thrown by the handler stops it.
///
/// Symbols are interned into the one `SymbolTable` in the order inputs are first looked at, so
/// a symbol's number says nothing about event order.
public final class TimeOrderedMerge {
  /// What the merge did, for progress displays and tests.
  public struct Statistics: Sendable, Equatable {
    /// Events handed to the handler.
    public var events = 0
    /// The most inputs open (descriptor, decoder and parser alive) at the same time.
    public var maxOpenInputs = 0
    /// The newest time of the events handed out: how far the merge has got in event time.
    public var newestEventTime: Int64?
    /// Sweeps of the symbol table, and the symbols they freed.
    public var symbolSweeps = 0
    public var symbolsFreed = 0
  }

  public let inputs: [MergeInput]
  public private(set) var statistics = Statistics()

  private enum Slot {
    /// Not opened yet, or looked at and closed again: to be opened at this position.
    case closed(InputPosition)
    case open(InputCursor)
    /// Read to its end, or failed, at this position (`nil`: could not be opened).
    case done(InputPosition?)
  }

  private let symbols: SymbolTable
  private let parserOptions: ParserOptions
  private let decoderOptions: DecoderOptions
  /// Whether inputs may still grow (see `init`).
  private let inputsMayGrow: Bool
  /// An event further ahead than this of those around it in its input, while the next one is
  /// not, is merged in its place in the file (`InputCursor.maxTimeJump`).
  private let maxTimeJump: Int64
  /// Logical reads, counted across all inputs as events leave the merge in time order: one
  /// query's pages in two files, or in two interleaved files, count once.
  public let operations: ReadOperationTracker
  private var slots: [Slot]
  private var openInputs = 0
  private var finishedBytes: Int64 = 0
  private var hasRun = false

  /// - Parameters:
  ///   - inputs: in the order that breaks ties between equal event times.
  ///   - symbols: the run's symbol table, shared by all inputs (interned on the merge's
  ///     thread; its text may be read on others, see `SymbolTable`).
  ///   - operations: counts logical reads; a resumed run passes the one it saved.
  ///   - inputsMayGrow: whether the inputs' ends are only where their writers have got to
  ///     (a scan that a later run continues): a last line without newline, or a frame not
  ///     finished, is then left for the later run instead of taken or reported as truncated.
  ///   - maxTimeJump: the detector's bound on event time jumps: a record further ahead of its
  ///     neighbours (a wrong clock) must not hold the rest of its input back.
  public init(
    inputs: [MergeInput], symbols: SymbolTable, parserOptions: ParserOptions = ParserOptions(),
    decoderOptions: DecoderOptions = DecoderOptions(),
    operations: ReadOperationTracker = ReadOperationTracker(), inputsMayGrow: Bool = false,
    maxTimeJump: Int64 = 3_600_000
  ) {
    self.inputs = inputs
    self.symbols = symbols
    self.parserOptions = parserOptions
    self.decoderOptions = decoderOptions
    self.operations = operations
    self.inputsMayGrow = inputsMayGrow
    self.maxTimeJump = maxTimeJump
    slots = inputs.map { .closed($0.start) }
  }

  /// Reads all inputs, handing their events, rejects and ends to `handler`. Runs once.
  ///
  /// - Throws: only what `handler` throws; the inputs' own errors are reported to it.
  public func run<Handler: MergedEventHandler>(into handler: inout Handler) throws {
    precondition(!hasRun, "a merge reads its inputs once")
    hasRun = true
    var queue = MergeQueue()
    for input in inputs.indices {
      if let firstTime = try firstLook(at: input, handler: &handler) {
        queue.insert(MergeQueue.Entry(time: firstTime, input: input))
      }
    }
    while let top = queue.top {
      let cursor: InputCursor
      switch slots[top.input] {
      case .closed(let position):
        guard let opened = try open(top.input, at: position, handler: &handler)
        else {
          queue.removeTop()
          continue
        }
        cursor = opened
      case .open(let openCursor):
        cursor = openCursor
        statistics.events += try cursor.deliverEvents(through: queue.topRunLimit, to: &handler)
        if let time = cursor.lastHandedTime, time > statistics.newestEventTime ?? .min {
          statistics.newestEventTime = time
        }
        if handler.wantsCheckpoint { try handler.handleCheckpoint(positions) }
        if symbols.isSweepDue && handler.marksSymbols { try sweepSymbols(handler: &handler) }
      case .done:
        preconditionFailure("an input left in the queue after its end")
      }
      if cursor.headTime == nil { try cursor.refill(rejectsTo: &handler) }
      if let time = cursor.headTime {
        queue.updateTop(time: time)
      } else {
        queue.removeTop()
        try finish(top.input, cursor, handler: &handler)
      }
    }
  }

  /// Reads `input` up to its first event and returns that event's time; closes it again unless
  /// it can be read only once. An input with no event is read to its end and reported here.
  private func firstLook<Handler: MergedEventHandler>(
    at input: Int, handler: inout Handler
  ) throws -> Int64? {
    guard case .closed(let start) = slots[input], let cursor = try open(input, at: start, handler: &handler) else {
      return nil
    }
    try cursor.refill(rejectsTo: &handler)
    guard let firstTime = cursor.headTime else {
      try finish(input, cursor, handler: &handler)
      return nil
    }
    if inputs[input].canReopen {
      slots[input] = .closed(cursor.positionFromStart)
      openInputs -= 1
    }
    return firstTime
  }

  /// Opens `input`, or reports why it cannot be opened and returns `nil`.
  private func open<Handler: MergedEventHandler>(
    _ input: Int, at position: InputPosition, handler: inout Handler
  ) throws -> InputCursor? {
    let cursor: InputCursor
    do {
      let source = try inputs[input].open(at: position)
      let mayGrow = inputs[input].mayGrow ?? inputsMayGrow
      // A whole file being read must not lose its end silently: one truncated meanwhile is
      // an error. A growing one is truncated by its writer on purpose (copytruncate).
      if !mayGrow, let file = source as? FileByteSource { file.detectsShrinking = true }
      cursor = try InputCursor(
        name: inputs[input].name, source: source, start: position, symbols: symbols,
        parserOptions: inputs[input].parserOptions ?? parserOptions, decoderOptions: decoderOptions, operations: operations,
        mayGrow: mayGrow)
    } catch {
      slots[input] = .done(inputs[input].canReopen ? position : nil)
      let nothingRead = InputReport(
        input: inputs[input].name, summary: InputSummary(), compressedBytes: 0, decodedBytes: 0)
      try handler.handleInputFailure(error, report: nothingRead)
      return nil
    }
    cursor.maxTimeJump = maxTimeJump
    slots[input] = .open(cursor)
    openInputs += 1
    statistics.maxOpenInputs = max(statistics.maxOpenInputs, openInputs)
    return cursor
  }

  /// Frees the symbols neither the handler nor an open input holds (see `SymbolTable`): a
  /// long run keeps its table in proportion to its tracked keys, not to the values it read.
  private func sweepSymbols<Handler: MergedEventHandler>(handler: inout Handler) throws {
    var marks = SymbolMarks(symbolCount: symbols.count)
    try handler.markSymbols(into: &marks)
    for slot in slots {
      if case .open(let cursor) = slot { cursor.markSymbols(into: &marks) }
    }
    statistics.symbolsFreed += symbols.sweep(keeping: marks)
    statistics.symbolSweeps += 1
  }

  /// Where each input stands after the events handed out so far (see
  /// `MergedEventHandler.handleCheckpoint`).
  public var positions: [InputPosition?] {
    slots.indices.map { input in
      guard inputs[input].canReopen else { return nil }
      switch slots[input] {
      case .closed(let position): return position
      case .open(let cursor): return cursor.position
      case .done(let position): return position
      }
    }
  }

  /// Bytes taken from the inputs so far, as stored (compressed or not), by the inputs being
  /// merged and those finished: for a progress display, which may read it between events.
  public var bytesRead: Int64 {
    var total = finishedBytes
    for slot in slots {
      if case .open(let cursor) = slot { total += cursor.report.compressedBytes }
    }
    return total
  }

  /// Closes an exhausted input and reports how it ended.
  private func finish<Handler: MergedEventHandler>(
    _ input: Int, _ cursor: InputCursor, handler: inout Handler
  ) throws {
    slots[input] = .done(cursor.position)
    finishedBytes += cursor.report.compressedBytes
    openInputs -= 1
    if case .failed(let error) = cursor.state {
      try handler.handleInputFailure(error, report: cursor.report)
    } else {
      try handler.handleInputFinished(cursor.report)
    }
  }
}
