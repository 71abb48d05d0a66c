import Glibc
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchSource
import ExfilWatchTestSupport
import Testing

@Suite("a handler on a thread of its own sees what it would see on one")
struct ConcurrentEventHandlerTests {
  /// Three inputs: one with bad lines among its events, one zstd file cut short, one gzip.
  private func damagedInputs(in directory: TemporaryDirectory) throws -> [String] {
    var lines = rtemLines(sampleEvents("a", count: 3_000, start: sampleDay, step: 1_000))
    for index in stride(from: 250, to: lines.count, by: 500) { lines.insert("{not json", at: index) }
    let withRejects = try directory.write("a.jsonl.zst", try Storage.zstd.encode(Array(lines.joined(separator: "\n").utf8) + [0x0A]))
    let whole = try Storage.zstd.encode(rtemText(sampleEvents("b", count: 2_000, start: sampleDay + 500, step: 1_300)))
    let truncated = try directory.write("b.jsonl.zst", Array(whole.dropLast(40)))
    let gzip = try directory.write(
      "c.jsonl.gz", try Storage.gzip.encode(rtemText(sampleEvents("c", count: 1_500, start: sampleDay, step: 2_100))))
    return [withRejects, truncated, gzip]
  }

  @Test("events, rejects, failures and ends come in the same order", arguments: [1, 7, 4_096], [1, 4])
  func sameCalls(batchSize: Int, queueDepth: Int) throws {
    let directory = try TemporaryDirectory()
    let paths = try damagedInputs(in: directory)
    let (alone, _) = try merge(paths, decoderOptions: smallBuffers)

    let merge = TimeOrderedMerge(
      inputs: paths.map(MergeInput.init(path:)), symbols: SymbolTable(), decoderOptions: smallBuffers)
    var handedOver = 0
    var concurrent = ConcurrentEventHandler(wrapping: MergeRecorder(), batchSize: batchSize, queueDepth: queueDepth) {
      handedOver += $0
    }
    try merge.run(into: &concurrent)
    let recorder = try concurrent.finish()

    #expect(alone.rejects.count == 6)
    #expect(alone.failures.count == 1)
    #expect(recorder.calls == alone.calls)
    #expect(handedOver == alone.events.count)
    #expect(merge.statistics.events == alone.events.count)
  }

  /// A merge of one input of 5,000 events.
  private func fiveThousandEvents(in directory: TemporaryDirectory) throws -> TimeOrderedMerge {
    let path = try directory.write(
      "a.jsonl.zst", try Storage.zstd.encode(rtemText(sampleEvents("a", count: 5_000, start: sampleDay, step: 1_000))))
    return TimeOrderedMerge(inputs: [MergeInput(path: path)], symbols: SymbolTable())
  }

  @Test("an error the handler throws on the worker stops the merge, and no later event is handled")
  func handlerError() throws {
    let directory = try TemporaryDirectory()
    let merge = try fiveThousandEvents(in: directory)
    let handled = HandledCount()
    var concurrent = ConcurrentEventHandler(wrapping: FailingRecorder(failAt: 1_234, handled: handled), batchSize: 100)
    #expect(throws: FailingRecorder.Failure.self) { try merge.run(into: &concurrent) }
    #expect(throws: FailingRecorder.Failure.self) { _ = try concurrent.finish() }
    #expect(merge.statistics.events < 5_000, "the merge stopped early")
    #expect(handled.value == 1_234, "no event after the failing one reached the handler")
  }

  @Test("stopped after a failure, it gives back the handler as the worker left it, and the failure")
  func stopAfterFailure() throws {
    let directory = try TemporaryDirectory()
    let merge = try fiveThousandEvents(in: directory)
    var concurrent = ConcurrentEventHandler(wrapping: FailAfter(count: 1_234), batchSize: 100)
    #expect(throws: FailingRecorder.Failure.self) { try merge.run(into: &concurrent) }
    let stopped = concurrent.stop()
    #expect(stopped.handled == 1_234)
    #expect(concurrent.failure is FailingRecorder.Failure)
    #expect(concurrent.threadTimes != nil)
  }

  @Test("a checkpoint's positions are after exactly the events the handler has handled")
  func checkpointPositions() throws {
    let directory = try TemporaryDirectory()
    let events = sampleEvents("a", count: 6_000, start: sampleDay, step: 1_000)
    let path = try directory.write("a.jsonl.zst", try Storage.zstd.encode(rtemText(events)))
    let merge = TimeOrderedMerge(inputs: [MergeInput(path: path)], symbols: SymbolTable(), decoderOptions: smallBuffers)
    var concurrent = ConcurrentEventHandler(wrapping: CheckpointRecorder(every: 1_000), batchSize: 64)
    try merge.run(into: &concurrent)
    let recorder = try concurrent.finish()

    #expect(recorder.checkpoints.count >= 3)
    let handled = recorder.checkpoints.map(\.handled)
    #expect(zip(handled, handled.dropFirst()).allSatisfy { $1 - $0 >= 1_000 }, "one commit per wish, not two")
    for (handled, positions) in recorder.checkpoints {
      var input = MergeInput(path: path)
      input.start = try #require(positions[0])
      let (rest, _) = try ExfilWatchPipelineTests.merge([input])
      #expect(Array(recorder.recorder.events.prefix(handled)) + rest.events == events)
    }
  }
}

extension ConcurrentEventHandlerTests {
  @Test("symbols' text can be read on one thread while another interns new ones")
  func symbolsReadWhileInterning() async throws {
    let symbols = SymbolTable()
    let first = (0..<1_000).map { symbols.intern("actor-\($0)@example.com") }
    // The worker reads texts (as a finding does) while this thread interns 200,000 more,
    // growing every array of the table many times.
    let reader = Task.detached {
      var mismatches = 0
      for round in 0..<200_000 {
        let index = (round &* 7_919) % first.count
        if symbols.string(first[index]) != "actor-\(index)@example.com" { mismatches += 1 }
        symbols.withBytes(first[index]) { if $0.count != "actor-\(index)@example.com".utf8.count { mismatches += 1 } }
      }
      return mismatches
    }
    for index in 0..<200_000 { _ = symbols.intern("ip-10.\(index >> 16).\((index >> 8) & 255).\(index & 255)") }
    #expect(await reader.value == 0)
    #expect(symbols.count == 201_000)
    #expect(symbols.string(symbols.intern("actor-999@example.com")) == "actor-999@example.com")
  }
}

extension ConcurrentEventHandlerTests {
  // Lower bounds, and which thread waited more: the margins are wide (about 7 and 20 times
  // on a loaded machine), where a bound on a single wait's length would not be safe.
  @Test("the thread times name the thread that set the pace")
  func threadTimes() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      "a.jsonl.zst", try Storage.zstd.encode(rtemText(sampleEvents("a", count: 200, start: sampleDay, step: 1_000))))
    var collected = EventCollector()
    try TimeOrderedMerge(inputs: [MergeInput(path: path)], symbols: SymbolTable()).run(into: &collected)
    let events = collected.events
    try #require(events.count == 200)
    // A worker that takes 5 ms of CPU per batch of 20: the caller waits for it.
    var slowWorker = ConcurrentEventHandler(wrapping: CPUBurner(secondsPerBatch: 0.005, batchSize: 20), batchSize: 20)
    for event in events { try slowWorker.handleEvent(event) }
    _ = try slowWorker.finish()
    let workerBound = try #require(slowWorker.threadTimes)
    #expect(workerBound.workerBusy >= 0.05)
    #expect(workerBound.callerWaited >= 0.04, "eight batches' CPU time at least")
    #expect(workerBound.callerWaited > workerBound.workerWaited)

    // A caller that takes a millisecond per event: the worker waits for it.
    var slowCaller = ConcurrentEventHandler(wrapping: MergeRecorder(), batchSize: 20)
    for event in events {
      usleep(1_000)
      try slowCaller.handleEvent(event)
    }
    let recorder = try slowCaller.finish()
    #expect(recorder.events.map(\.id) == events.map { $0.eventID?.description ?? "" })
    let callerBound = try #require(slowCaller.threadTimes)
    #expect(callerBound.workerWaited >= 0.15, "the time of 180 events at least")
    #expect(callerBound.workerWaited > callerBound.callerWaited)
  }
}

/// Keeps the events as they are.
private struct EventCollector: MergedEventHandler {
  var events: [AccessEvent] = []

  mutating func handleEvent(_ event: AccessEvent) throws { events.append(event) }
  mutating func handleReject(_ reject: RejectedRecord, input: String) {}
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {}
  mutating func handleInputFinished(_ report: InputReport) {}
}

/// Spends `secondsPerBatch` of its thread's CPU time after every `batchSize` events.
private struct CPUBurner: MergedEventHandler {
  let secondsPerBatch: Double
  let batchSize: Int
  var handled = 0

  mutating func handleEvent(_ event: AccessEvent) throws {
    handled += 1
    guard handled % batchSize == 0 else { return }
    let start = ThreadTimes.threadCPUSeconds()
    while ThreadTimes.threadCPUSeconds() - start < secondsPerBatch {}
  }
  mutating func handleReject(_ reject: RejectedRecord, input: String) {}
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {}
  mutating func handleInputFinished(_ report: InputReport) {}
}

/// Counts events in itself and throws on the `count`-th.
private struct FailAfter: MergedEventHandler {
  let count: Int
  var handled = 0

  mutating func handleEvent(_ event: AccessEvent) throws {
    handled += 1
    if handled == count { throw FailingRecorder.Failure() }
  }
  mutating func handleReject(_ reject: RejectedRecord, input: String) {}
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {}
  mutating func handleInputFinished(_ report: InputReport) {}
}

/// Events handled, counted where the test can read them after the handler is gone.
private final class HandledCount: @unchecked Sendable {
  var value = 0
}

/// Counts events and throws on the `failAt`-th.
private struct FailingRecorder: MergedEventHandler {
  struct Failure: Error {}
  let failAt: Int
  let handled: HandledCount

  mutating func handleEvent(_ event: AccessEvent) throws {
    handled.value += 1
    if handled.value == failAt { throw Failure() }
  }
  mutating func handleReject(_ reject: RejectedRecord, input: String) {}
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {}
  mutating func handleInputFinished(_ report: InputReport) {}
}

/// Asks for a checkpoint every `every` events and keeps how many it had handled at each.
private struct CheckpointRecorder: MergedEventHandler {
  var recorder = MergeRecorder()
  let every: Int
  var checkpoints: [(handled: Int, positions: [InputPosition?])] = []

  init(every: Int) {
    self.every = every
  }

  var wantsCheckpoint: Bool { recorder.events.count - (checkpoints.last?.handled ?? 0) >= every }

  mutating func handleCheckpoint(_ positions: [InputPosition?]) {
    checkpoints.append((recorder.events.count, positions))
  }

  mutating func handleEvent(_ event: AccessEvent) throws { try recorder.handleEvent(event) }
  mutating func handleReject(_ reject: RejectedRecord, input: String) { recorder.handleReject(reject, input: input) }
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {
    recorder.handleInputFailure(error, report: report)
  }
  mutating func handleInputFinished(_ report: InputReport) { recorder.handleInputFinished(report) }
}
