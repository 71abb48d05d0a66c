import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchSource
import ExfilWatchTestSupport
import Foundation
import Testing

/// Resumed inputs where a format check or a failure meets the restart point (found by review).
@Suite("resumed inputs at their edges")
struct ResumeEdgeTests {
  /// Runs one growing-input merge (as `scan --state` / `tail` do) from `starts`, returns what
  /// the handler saw and where the inputs stand afterwards.
  private func growingRun(
    _ paths: [String], from starts: [InputPosition], decoderOptions: DecoderOptions = DecoderOptions()
  ) throws -> (recorder: MergeRecorder, positions: [InputPosition?]) {
    let inputs = zip(paths, starts).map { path, start in
      var input = MergeInput(path: path)
      input.start = start
      return input
    }
    let merge = TimeOrderedMerge(
      inputs: inputs, symbols: SymbolTable(), decoderOptions: decoderOptions, inputsMayGrow: true)
    var recorder = MergeRecorder()
    try merge.run(into: &recorder)
    return (recorder, merge.positions)
  }

  private static let bad = Array("{\"EventDate\": broken\n".utf8)

  /// An uninterrupted read of "30 good, 12 bad, 8 good" lines is fine (the wrong-format sample is
  /// the first 20 records of the input); read in two runs (30 good, then the rest appended), the
  /// resumed parser must not judge the 20 records after its restart point as the input's first.
  @Test("a resumed input is not judged for a wrong format again from its restart point")
  func resumedWrongFormat() throws {
    let directory = try TemporaryDirectory()
    let first = sampleEvents("a", count: 30, start: sampleDay, step: 1_000)
    let later = sampleEvents("b", count: 8, start: sampleDay + 100_000, step: 1_000)
    let path = try directory.write("grow.jsonl", rtemText(first))

    // Uninterrupted: the whole file in one run.
    let wholePath = try directory.write(
      "whole.jsonl", rtemText(first) + Array(repeating: Self.bad, count: 12).flatMap { $0 } + rtemText(later))
    let whole = try growingRun([wholePath], from: [.start])
    #expect(whole.recorder.failures.isEmpty)
    #expect(whole.recorder.events.count == 38)
    #expect(whole.recorder.rejects.count == 12)

    // Two runs: the second resumes after the first 30 lines.
    let run1 = try growingRun([path], from: [.start])
    #expect(run1.recorder.events.count == 30)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    handle.seekToEndOfFile()
    handle.write(Data(Array(repeating: Self.bad, count: 12).flatMap { $0 } + rtemText(later)))
    handle.closeFile()
    let run2 = try growingRun([path], from: [try #require(run1.positions[0])])
    #expect(run2.recorder.failures.isEmpty, "resumed run failed: \(run2.recorder.failures.map { "\($0.error)" })")
    #expect(run2.recorder.events.count == 8)
    #expect(run2.recorder.rejects.count == 12)
    // And the next runs, resuming from where the failed run says it stopped, hand on the same
    // 8 events again each time (and fail again each time).
    var position = try #require(run2.positions[0])
    for attempt in 3...5 {
      let again = try growingRun([path], from: [position])
      #expect(again.recorder.events.isEmpty, "run \(attempt) handed on \(again.recorder.events) again")
      position = try #require(again.positions[0])
    }
  }

  /// After an input fails with a parse error in the middle of a chunk, the position the merge
  /// reports must not restart before events of that chunk already handed on.
  @Test("events handed on before a failure inside a chunk are not handed on again by later runs")
  func failureRestartsBeforeDeliveredEvents() throws {
    let directory = try TemporaryDirectory()
    let first = sampleEvents("a", count: 30, start: sampleDay, step: 1_000)
    let later = sampleEvents("b", count: 8, start: sampleDay + 100_000, step: 1_000)
    // A file whose first 20 records are mostly bad fails in any run, interrupted or not.
    let text = rtemText(Array(later.prefix(8))) + Array(repeating: Self.bad, count: 12).flatMap { $0 }
      + rtemText(first)
    let path = try directory.write("bad-start.jsonl", text)
    // Small chunks: the record that trips the check is in a later chunk than the first, with
    // good records before it in the same chunk.
    let nine = sampleEvents("c", count: 9, start: sampleDay + 200_000, step: 1_000)
    let text2 = Array(repeating: Self.bad, count: 11).flatMap { $0 } + rtemText(nine) + rtemText(first)
    let path2 = try directory.write("bad-start-2.jsonl", text2)
    for (file, options) in [(path, DecoderOptions()), (path2, smallBuffers)] {
      let run1 = try growingRun([file], from: [.start], decoderOptions: options)
      #expect(run1.recorder.failures.count == 1)
      let handedOn = run1.recorder.events.count
      #expect(handedOn == (file == path ? 8 : 9))
      let run2 = try growingRun([file], from: [try #require(run1.positions[0])], decoderOptions: options)
      #expect(run2.recorder.events.isEmpty, "handed on again: \(run2.recorder.events.count) of the \(handedOn) events; position \(String(describing: run1.positions[0]))")
      let run3 = try growingRun([file], from: [try #require(run2.positions[0])], decoderOptions: options)
      #expect(run3.recorder.events.isEmpty, "handed on a third time: \(run3.recorder.events.count)")
    }
  }

  /// A path that names another file by the time the merge opens it (rotated during a long scan)
  /// fails: its position must not be applied to, nor stored for, the wrong file.
  @Test("a path that names another file by the time it is opened fails and keeps its start")
  func replacedBeforeOpening() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("app.jsonl", rtemText(sampleEvents("new", count: 10, start: sampleDay, step: 1_000)))
    let other = try directory.write("app.jsonl.1", rtemText(sampleEvents("old", count: 10, start: sampleDay, step: 1_000)))
    var input = MergeInput(path: path)
    input.expectedFile = try FileIdentity(path: other)
    let merge = TimeOrderedMerge(inputs: [input], symbols: SymbolTable(), inputsMayGrow: true)
    var recorder = MergeRecorder()
    try merge.run(into: &recorder)
    #expect(recorder.events.isEmpty)
    #expect(recorder.failures.count == 1)
    #expect("\(recorder.failures.first?.error as Any)".contains("app.jsonl"))
    #expect(merge.positions[0] == .start)
  }
}
