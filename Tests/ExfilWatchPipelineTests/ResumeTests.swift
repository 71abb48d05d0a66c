import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchTestSupport
import Foundation
import Testing

/// A run stopped between any two events and continued from the positions it reported hands on
/// exactly what one uninterrupted run does: no event twice, none skipped, each reject once.
@Suite("a stopped merge resumes where it stopped")
struct ResumeTests {
  @Test("stopped every few thousand events, resumed from the positions, nothing lost or repeated",
        arguments: [DecoderOptions(), smallBuffers])
  func resumeChain(decoderOptions: DecoderOptions) throws {
    let directory = try TemporaryDirectory()
    let paths = try writeResumeInputs(in: directory)
    let whole = try merge(paths.map(MergeInput.init(path:)), decoderOptions: decoderOptions).recorder
    #expect(whole.failures.isEmpty)
    #expect(whole.events.count == 9_000 + 2_000 + 1_500 + 30 * 4 + 300 + 300)
    #expect(whole.rejects.count == 30)

    for stride in [1, 997, 2_311] {
      var calls: [MergeRecorder.Call] = []
      var starts = paths.map { _ in InputPosition.start }
      let operations = ReadOperationTracker()
      var runs = 0
      while true {
        runs += 1
        let inputs = zip(paths, starts).map { path, start in
          var input = MergeInput(path: path)
          input.start = start
          return input
        }
        let run = TimeOrderedMerge(
          inputs: inputs, symbols: SymbolTable(), decoderOptions: decoderOptions, operations: operations)
        var recorder = StoppingRecorder(stopAfter: stride == 1 ? Int.random(in: 1...3_000) : stride)
        do {
          try run.run(into: &recorder)
          calls += recorder.recorder.calls.filter(\.isDelivery)
          break
        } catch is StoppingRecorder.Stop {
          calls += recorder.recorder.calls.filter(\.isDelivery)
          starts = recorder.positions.map { $0! }
        }
        #expect(runs < 200, "every run makes progress")
        if runs >= 200 { return }
      }
      #expect(runs > 2)
      // Events in the same order; rejects each once (they are reported as their chunk is
      // parsed, ahead of the events, so where they fall among the events depends on chunking).
      let events = calls.compactMap { if case .event(let event) = $0 { event } else { nil } }
      #expect(events.count == whole.events.count, "stopping every \(stride) events")
      let difference = zip(events, whole.events).enumerated().first { $0.element.0 != $0.element.1 }?.offset
      #expect(difference == nil, "stopping every \(stride) events: first difference \(difference.map { "\(events[$0]) vs \(whole.events[$0])" } ?? "")")
      let rejects = calls.compactMap { if case .reject(let input, let line, _) = $0 { "\(input):\(line)" } else { nil } }
      #expect(rejects.sorted() == whole.rejects.map { "\($0.input):\($0.line)" }.sorted())
    }
  }

  @Test("stopped with an element of an API page among JSON lines next, a run resumes by count, not at its line")
  func resumeInsideAPageAmongLines() throws {
    let directory = try TemporaryDirectory()
    let before = sampleEvents("before", count: 10, start: sampleDay, step: 10_000)
    let page = sampleEvents("page", count: 4, start: sampleDay + 100_000, step: 10_000)
    let after = sampleEvents("after", count: 10, start: sampleDay + 140_000, step: 10_000)
    let text = rtemLines(before).joined(separator: "\n") + "\n{\n\"records\": [\n"
      + rtemLines(page).joined(separator: ",\n") + "\n]\n}\n" + rtemLines(after).joined(separator: "\n") + "\n"
    let paths = [
      try directory.write("lines.jsonl", Array(text.utf8)),
      try directory.write("other.jsonl", rtemText(sampleEvents("other", count: 50, start: sampleDay + 5_000, step: 5_000))),
    ]
    let whole = try merge(paths).recorder
    #expect(whole.events.count == 74)
    #expect(whole.rejects.isEmpty)
    for stop in 1..<whole.events.count {
      var recorder = StoppingRecorder(stopAfter: stop)
      #expect(throws: StoppingRecorder.Stop.self) {
        try TimeOrderedMerge(inputs: paths.map(MergeInput.init(path:)), symbols: SymbolTable()).run(into: &recorder)
      }
      let inputs = zip(paths, recorder.positions).map { path, start in
        var input = MergeInput(path: path)
        input.start = start!
        return input
      }
      let rest = try merge(inputs).recorder
      #expect(recorder.recorder.events + rest.events == whole.events, "stopped after \(stop)")
      #expect(rest.rejects.isEmpty, "stopped after \(stop)")
    }
  }

  @Test("a resumed compressed input restarts at its last frame or member, not at its start")
  func restartsAtUnit() throws {
    let directory = try TemporaryDirectory()
    let events = sampleEvents("z", count: 3_000, start: sampleDay, step: 1_000)
    var framed: [UInt8] = []
    for piece in stride(from: 0, to: 3_000, by: 500) {
      framed += try Storage.zstd.encode(rtemText(Array(events[piece..<piece + 500])))
    }
    let path = try directory.write("frames.jsonl.zst", framed)
    let run = TimeOrderedMerge(inputs: [MergeInput(path: path)], symbols: SymbolTable())
    var recorder = StoppingRecorder(stopAfter: 2_600)
    #expect(throws: StoppingRecorder.Stop.self) { try run.run(into: &recorder) }
    let restart = try #require(recorder.positions[0]?.restart)
    #expect(restart.decoding.codec == .zstd)
    #expect(restart.decoding.unitOffset > Int64(framed.count) * 4 / 6, "the fifth or sixth frame")
    #expect(restart.decoding.decodedOffset >= restart.decoding.unitDecodedOffset)
    #expect(restart.line == recorder.recorder.events.count + 1)
  }
}

/// Hands events on to a `MergeRecorder` until it has `stopAfter` of them, then asks for a
/// checkpoint, keeps the positions and stops the run.
private struct StoppingRecorder: MergedEventHandler {
  struct Stop: Error {}

  var recorder = MergeRecorder()
  let stopAfter: Int
  var positions: [InputPosition?] = []

  init(stopAfter: Int) {
    self.stopAfter = stopAfter
  }

  var wantsCheckpoint: Bool { recorder.events.count >= stopAfter }

  mutating func handleCheckpoint(_ positions: [InputPosition?]) throws {
    self.positions = positions
    throw Stop()
  }

  mutating func handleEvent(_ event: AccessEvent) throws { try recorder.handleEvent(event) }
  mutating func handleReject(_ reject: RejectedRecord, input: String) { recorder.handleReject(reject, input: input) }
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {
    recorder.handleInputFailure(error, report: report)
  }
  mutating func handleInputFinished(_ report: InputReport) { recorder.handleInputFinished(report) }
}

extension MergeRecorder.Call {
  /// An event or reject (what must come exactly once), not an input's end.
  fileprivate var isDelivery: Bool {
    switch self {
    case .event, .reject: true
    case .failure, .finished: false
    }
  }
}

/// Inputs of every kind a run resumes differently: zstd in many frames and in one, gzip in
/// many members, plain JSON lines with bad lines among them, CSV with a header and quoted
/// newlines, and a JSON array (which has no restart points and is resumed by counting).
private func writeResumeInputs(in directory: TemporaryDirectory) throws -> [String] {
  let rtem = sampleEvents("multi", count: 9_000, start: sampleDay, step: 20_000)
  var zstdFrames: [UInt8] = []
  var gzipMembers: [UInt8] = []
  var plain: [UInt8] = []
  for (index, piece) in stride(from: 0, to: 9_000, by: 1_500).enumerated() {
    let text = rtemText(Array(rtem[piece..<piece + 1_500]))
    if index % 2 == 0 { zstdFrames += try Storage.zstd.encode(text) } else { gzipMembers += try Storage.gzip.encode(text) }
  }
  let single = sampleEvents("single", count: 2_000, start: sampleDay + 5_000, step: 60_000)
  let plainEvents = sampleEvents("plain", count: 1_500, start: sampleDay + 7_000, step: 90_000)
  for (index, line) in rtemLines(plainEvents).enumerated() {
    plain += Array(line.utf8) + [0x0A]
    if index % 50 == 25 { plain += Array("{\"EventDate\": broken\n".utf8) }
    // An API page among the lines, its elements at column 0 (`json.dumps(indent=0)`): a run
    // cannot start again at an element's line, only count its way past them.
    if index % 50 == 10 {
      let wrapped = sampleEvents("wrapped\(index)", count: 4, start: plainEvents[index].time + 1, step: 20_000)
      plain += Array(("{\n\"records\": [\n" + rtemLines(wrapped).joined(separator: ",\n") + "\n]\n}\n").utf8)
    }
  }
  let csvEvents = sampleEvents("csv", count: 300, start: sampleDay + 11_000, step: 400_000)
  let arrayEvents = sampleEvents("array", count: 300, start: sampleDay + 13_000, step: 400_000)
  let array = "[\n" + rtemLines(arrayEvents).joined(separator: ",\n") + "\n]\n"
  return [
    try directory.write("frames.jsonl.zst", zstdFrames),
    try directory.write("members.jsonl.gz", gzipMembers),
    try directory.write("single.jsonl.zst", try Storage.zstd.encode(rtemText(single))),
    try directory.write("plain.jsonl", plain),
    try directory.write("elf.csv", Array(elfText(csvEvents).utf8)),
    try directory.write("array.json", try Storage.zstd.encode(Array(array.utf8))),
  ]
}

/// Salesforce Event Log File (sf-elf) CSV rows, one per event, some with a quoted newline.
private func elfText(_ events: [SampleEvent]) -> String {
  let header = #""TIMESTAMP","EVENT_TYPE","USER_ID","SESSION_KEY","METHOD_NAME","ENTITY_NAME","ROWS_PROCESSED","CLIENT_NAME","CLIENT_IP","REQUEST_ID","URI""#
  let rows = events.enumerated().map { index, event in
    let time = Timestamp.iso8601(event.time).filter(\.isNumber).prefix(14) + "." + String(format: "%03d", event.time % 1_000)
    let uri = index % 10 == 3 ? "/services/data/v62.0/query\nnext" : "/services/data/v62.0/query"
    return #""\#(time)","API","005Hs00000Jq8R\#(index % 5)","sk\#(index % 9)","query","Contact","\#(10 + index % 40)","DataLoaderPartnerUI/62.0.0","198.51.100.\#(index % 200)","\#(event.id)","\#(uri)""#
  }
  return ([header] + rows).joined(separator: "\n") + "\n"
}
