import ExfilWatchEvent
import ExfilWatchParser

/// Receives what a `TimeOrderedMerge` makes of its inputs: every input's events in event-time
/// order, each input's rejected records, and how each input ended.
///
/// `TimeOrderedMerge.run(into:)` is generic over the handler rather than taking an existential,
/// so the call per event goes through no box: it is the one call on the hot path.
public protocol MergedEventHandler {
  /// The next event in event-time order. Equal times come in input order (the order the inputs
  /// were given), then in their order within the input.
  mutating func handleEvent(_ event: AccessEvent) throws

  /// A record of `input` that did not become an event; its bytes are valid only during the
  /// call. Rejects have no time, so they come as their input is parsed, ahead of the events
  /// parsed with them; each is delivered once.
  mutating func handleReject(_ reject: RejectedRecord, input: String) throws

  /// The input could not be opened, read, decoded or parsed past some point (a `SourceError`,
  /// `DecodeError` or `ParseError`, each naming the input and, where it applies, the offset).
  /// The events before that point have been delivered; the merge goes on with the other
  /// inputs. Called once per failed input, instead of `handleInputFinished`.
  mutating func handleInputFailure(_ error: any Error, report: InputReport) throws

  /// The input was read to its end and closed.
  mutating func handleInputFinished(_ report: InputReport) throws

  /// Whether the handler wants the inputs' positions now (to save state): asked between runs
  /// of events, where every event handed out so far has been handled.
  var wantsCheckpoint: Bool { get }

  /// The position of every input (in the merge's input order) after the events handed out so
  /// far: where a later run must start to read on. `nil` for an input that cannot be read again
  /// (standard input) or could not be opened.
  mutating func handleCheckpoint(_ positions: [InputPosition?]) throws

  /// Whether `markSymbols(into:)` marks every symbol the handler holds past the call that
  /// handed it: only then does the merge sweep the symbol table (`SymbolTable.sweep`).
  var marksSymbols: Bool { get }

  /// Marks the symbols the handler still holds (a detector's keys and evidence); called
  /// between runs of events, where every event handed out so far has been handled.
  mutating func markSymbols(into marks: inout SymbolMarks) throws
}

extension MergedEventHandler {
  public var wantsCheckpoint: Bool { false }
  public mutating func handleCheckpoint(_ positions: [InputPosition?]) throws {}
  public var marksSymbols: Bool { false }
  public mutating func markSymbols(into marks: inout SymbolMarks) throws {}
}

/// What was read from one input, for the per-input line of a replay's summary and for progress.
public struct InputReport: Sendable, Equatable {
  /// The input's name as given (`<stdin>` for `-`).
  public var input: String
  /// What the Parser stage made of the input (up to the failure, for a failed input).
  public var summary: InputSummary
  /// Bytes taken from the input as stored (compressed or not).
  public var compressedBytes: Int64
  /// Bytes after decoding: the text the parser read.
  public var decodedBytes: Int64

  public init(input: String, summary: InputSummary, compressedBytes: Int64, decodedBytes: Int64) {
    self.input = input
    self.summary = summary
    self.compressedBytes = compressedBytes
    self.decodedBytes = decodedBytes
  }

  /// Adds what a later reading of the same input gave (`tail` reads its files every poll).
  public mutating func add(_ later: InputReport) {
    summary.add(later.summary)
    compressedBytes += later.compressedBytes
    decodedBytes += later.decodedBytes
  }
}
