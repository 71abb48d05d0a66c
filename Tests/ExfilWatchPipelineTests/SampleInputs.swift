import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchTestSupport

/// An event as the merge tests compare them: its time and its platform id.
struct SampleEvent: Equatable, CustomStringConvertible {
  var time: Int64
  var id: String

  var description: String { "\(id)@\(time)" }
}

/// 2025-06-30T00:00:00Z in epoch milliseconds.
let sampleDay: Int64 = 1_751_241_600_000
let millisecondsPerDay: Int64 = 86_400_000

/// `count` events named `<prefix>-<n>`, the n-th at `start + n * step` milliseconds.
func sampleEvents(_ prefix: String, count: Int, start: Int64, step: Int64) -> [SampleEvent] {
  (0..<count).map { SampleEvent(time: start + Int64($0) * step, id: "\(prefix)-\($0)") }
}

/// Salesforce ApiEvent (sf-rtem) JSON lines, one per event.
func rtemText(_ events: [SampleEvent]) -> [UInt8] {
  rtemLines(events).flatMap { Array($0.utf8) + [0x0A] }
}

func rtemLines(_ events: [SampleEvent]) -> [String] {
  events.enumerated().map { index, event in
    #"{"attributes":{"type":"ApiEvent"},"EventDate":"\#(Timestamp.iso8601(event.time))","#
      + #""Username":"agent\#(index % 7)@contact.example.com","UserId":"005Hs00000Xw7VNIAZ","#
      + #""Client":"vendor/cti_console","Operation":"Query","QueriedEntities":"Contact","#
      + #""Query":"SELECT Id, Name, Email FROM Contact","RowsProcessed":50.0,"#
      + #""SessionKey":"M34N8ssjvWzMIT6x","SourceIp":"203.0.113.11","EventIdentifier":"\#(event.id)"}"#
  }
}

/// How a test input is stored, compressed by the real command-line tools.
enum Storage: String, CaseIterable, Sendable {
  case plain, gzip, zstd

  func encode(_ text: [UInt8]) throws -> [UInt8] {
    switch self {
    case .plain: return text
    case .gzip: return try runToolChecked("gzip", ["-n", "-c"], input: text)
    case .zstd: return try runToolChecked("zstd", ["-q", "-c"], input: text)
    }
  }
}

/// Small decoder buffers: many chunks per input, so the merge refills cursors often and a first
/// look sees only the start of an input.
let smallBuffers = DecoderOptions(inputBufferBytes: 512, outputBufferBytes: 1024)

/// Everything a merge hands on, in the order it came.
struct MergeRecorder: MergedEventHandler {
  enum Call: Equatable {
    case event(SampleEvent)
    case reject(input: String, line: Int, reason: RejectReason)
    case failure(input: String)
    case finished(input: String)
  }

  var calls: [Call] = []
  var failures: [(error: any Error, report: InputReport)] = []
  var finished: [InputReport] = []
  /// Called after each event with the number of events so far: a test acts on the files here,
  /// while the merge is reading them.
  var afterEvent: ((Int) throws -> Void)?

  var events: [SampleEvent] {
    calls.compactMap { if case .event(let event) = $0 { event } else { nil } }
  }

  var rejects: [(input: String, line: Int, reason: RejectReason)] {
    calls.compactMap {
      if case .reject(let input, let line, let reason) = $0 { (input, line, reason) } else { nil }
    }
  }

  mutating func handleEvent(_ event: AccessEvent) throws {
    calls.append(.event(SampleEvent(time: event.time, id: event.eventID?.description ?? "")))
    try afterEvent?(events.count)
  }

  mutating func handleReject(_ reject: RejectedRecord, input: String) {
    calls.append(.reject(input: input, line: reject.line, reason: reject.reason))
  }

  mutating func handleInputFailure(_ error: any Error, report: InputReport) {
    calls.append(.failure(input: report.input))
    failures.append((error, report))
  }

  mutating func handleInputFinished(_ report: InputReport) {
    calls.append(.finished(input: report.input))
    finished.append(report)
  }
}

/// Merges the files at `paths` (in that order) and returns what the handler saw and the
/// merge's statistics.
func merge(
  _ paths: [String], decoderOptions: DecoderOptions = DecoderOptions()
) throws -> (recorder: MergeRecorder, statistics: TimeOrderedMerge.Statistics) {
  try merge(paths.map(MergeInput.init(path:)), decoderOptions: decoderOptions)
}

func merge(
  _ inputs: [MergeInput], decoderOptions: DecoderOptions = DecoderOptions()
) throws -> (recorder: MergeRecorder, statistics: TimeOrderedMerge.Statistics) {
  let merge = TimeOrderedMerge(
    inputs: inputs, symbols: SymbolTable(), decoderOptions: decoderOptions)
  var recorder = MergeRecorder()
  try merge.run(into: &recorder)
  return (recorder, merge.statistics)
}

/// Whether times never go backwards.
func isTimeOrdered(_ events: [SampleEvent]) -> Bool {
  zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time }
}
