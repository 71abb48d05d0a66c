import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchSource
import ExfilWatchTestSupport
import Foundation
import Testing

@Suite("damaged inputs and rejected records")
struct DamagedInputTests {
  @Test("a truncated .zst among good inputs: its events up to the cut, all of theirs, one failure",
        arguments: [DecoderOptions(), smallBuffers])
  func truncatedInput(decoderOptions: DecoderOptions) throws {
    let directory = try TemporaryDirectory()
    let good1 = sampleEvents("good1", count: 1_000, start: sampleDay, step: 3_000)
    let good2 = sampleEvents("good2", count: 1_000, start: sampleDay + 1_000, step: 3_000)
    let damaged = sampleEvents("cut", count: 1_000, start: sampleDay + 2_000, step: 3_000)
    // Two zstd frames, cut in the middle of the second: the first frame's events must arrive.
    let frame1 = try Storage.zstd.encode(rtemText(Array(damaged[..<500])))
    let frame2 = try Storage.zstd.encode(rtemText(Array(damaged[500...])))
    let cutBytes = frame1 + frame2.prefix(frame2.count / 2)
    let paths = [
      try directory.write("good1.jsonl.gz", try Storage.gzip.encode(rtemText(good1))),
      try directory.write("cut.jsonl.zst", cutBytes),
      try directory.write("good2.jsonl", rtemText(good2)),
    ]

    let (recorder, _) = try merge(paths, decoderOptions: decoderOptions)

    let events = recorder.events
    #expect(isTimeOrdered(events))
    #expect(events.filter { $0.id.hasPrefix("good1-") } == good1)
    #expect(events.filter { $0.id.hasPrefix("good2-") } == good2)
    let delivered = events.filter { $0.id.hasPrefix("cut-") }
    #expect(delivered == Array(damaged.prefix(delivered.count)), "a prefix of the damaged file")
    #expect(delivered.count >= 500 && delivered.count < 1_000)

    #expect(recorder.failures.count == 1)
    let (error, report) = try #require(recorder.failures.first)
    let decodeError = try #require(error as? DecodeError)
    #expect(decodeError.name == paths[1])
    #expect(decodeError.reason == .truncated)
    #expect(decodeError.offset == Int64(cutBytes.count))
    #expect(decodeError.unitOffset == Int64(frame1.count))
    #expect("\(error)".contains(paths[1]))
    #expect(report.input == paths[1])
    #expect(report.summary.events == delivered.count)
    #expect(report.compressedBytes == Int64(cutBytes.count))

    let lastCutEvent = try #require(recorder.calls.lastIndex(of: .event(delivered.last!)))
    let failure = try #require(recorder.calls.firstIndex(of: .failure(input: paths[1])))
    #expect(failure > lastCutEvent, "the failure is reported after the events before it")
    #expect(recorder.finished.map(\.input) == [paths[0], paths[2]])
  }

  @Test("an input that cannot be opened is reported once and the others are read")
  func unopenableInput() throws {
    let directory = try TemporaryDirectory()
    let events = sampleEvents("ok", count: 10, start: sampleDay, step: 1_000)
    let good = try directory.write("ok.jsonl", rtemText(events))
    let missing = directory.path("deleted.jsonl")
    let (recorder, statistics) = try merge([missing, good])
    #expect(recorder.events == events)
    #expect(recorder.failures.count == 1)
    #expect((recorder.failures.first?.error as? SourceError)?.name == missing)
    #expect(recorder.failures.first?.report == InputReport(
      input: missing, summary: InputSummary(), compressedBytes: 0, decodedBytes: 0))
    #expect(statistics.maxOpenInputs == 1)
  }

  @Test("rejected records are delivered once per bad line, also for inputs looked at then reopened",
        arguments: [
          DecoderOptions(), DecoderOptions(inputBufferBytes: 64, outputBufferBytes: 64), smallBuffers,
        ])
  func rejectsOnce(decoderOptions: DecoderOptions) throws {
    let directory = try TemporaryDirectory()
    /// Lines of `events`, with bad records at the given 1-based lines.
    func text(_ events: [SampleEvent], badLines: Set<Int>) -> [UInt8] {
      var good = rtemLines(events)[...]
      let total = events.count + badLines.count
      let lines = (1...total).map { line in
        badLines.contains(line) ? (line % 2 == 0 ? "not json" : #"{"EventDate":"yesterday","Username":"u"}"#)
          : good.removeFirst()
      }
      return Array(lines.joined(separator: "\n").utf8) + [0x0A]
    }
    let plainBad: Set = [1, 2, 60, 61, 205]
    let zstdBad: Set = [1, 40, 150]
    let plainEvents = sampleEvents("plain", count: 200, start: sampleDay + 500, step: 1_000)
    let zstdEvents = sampleEvents("zstd", count: 200, start: sampleDay, step: 1_000)
    let paths = [
      try directory.write("plain.jsonl", text(plainEvents, badLines: plainBad)),
      try directory.write("only-bad.jsonl", text([], badLines: [1, 2, 3])),
      try directory.write("events.jsonl.zst", try Storage.zstd.encode(text(zstdEvents, badLines: zstdBad))),
    ]

    let (recorder, _) = try merge(paths, decoderOptions: decoderOptions)

    #expect(recorder.events.count == 400)
    #expect(recorder.failures.isEmpty)
    for (path, bad) in zip(paths, [plainBad, [1, 2, 3], zstdBad]) {
      let lines = recorder.rejects.filter { $0.input == path }.map(\.line)
      #expect(lines == bad.sorted(), "\(path)")
      let report = try #require(recorder.finished.first { $0.input == path })
      #expect(report.summary.rejected == bad.count)
    }
  }

  @Test("an input in the wrong format fails at its first look, its rejects delivered once")
  func wrongFormatInput() throws {
    let directory = try TemporaryDirectory()
    let events = sampleEvents("ok", count: 5, start: sampleDay, step: 1_000)
    let wrong = try directory.write("wrong.jsonl", Array(String(
      repeating: #"{"EventDate":"yesterday","Username":"u"}"# + "\n", count: 30).utf8))
    let good = try directory.write("good.jsonl", rtemText(events))
    let (recorder, _) = try merge([wrong, good], decoderOptions: smallBuffers)
    #expect(recorder.events == events)
    #expect(recorder.rejects.map(\.line) == Array(1...20))
    #expect(recorder.failures.count == 1)
    guard case ParseError.wrongFormat(let input, _, 20, 20, _)? = recorder.failures.first?.error else {
      Issue.record("expected a wrong-format failure, got \(recorder.failures)")
      return
    }
    #expect(input == wrong)
  }
}

/// Files changed under a replay (issue 9): log retention deleting an archive, a writer
/// truncating one. What was read is kept; what is gone is reported, never silently dropped.
@Suite("inputs deleted or truncated while read")
struct ChangedInputTests {
  @Test("one file deleted and one truncated mid-merge: the deleted one is read to its end, the truncated one reported")
  func deletedAndTruncatedWhileRead() throws {
    let directory = try TemporaryDirectory()
    let kept = sampleEvents("kept", count: 6_000, start: sampleDay, step: 3_000)
    let cut = sampleEvents("cut", count: 6_000, start: sampleDay + 1_000, step: 3_000)
    let keptPath = try directory.write("kept.jsonl", rtemText(kept))
    let cutPath = try directory.write("cut.jsonl", rtemText(cut))
    let merge = TimeOrderedMerge(inputs: [keptPath, cutPath].map(MergeInput.init(path:)), symbols: SymbolTable())
    var recorder = MergeRecorder()
    recorder.afterEvent = { count in
      guard count == 1_000 else { return }
      // Both are open: an unlinked file stays readable through its descriptor; the other
      // loses its second half.
      try FileManager.default.removeItem(atPath: keptPath)
      let handle = try #require(FileHandle(forWritingAtPath: cutPath))
      try handle.truncate(atOffset: UInt64(rtemText(Array(cut.prefix(3_000))).count))
      try handle.close()
    }
    try merge.run(into: &recorder)
    #expect(recorder.events.filter { $0.id.hasPrefix("kept-") } == kept)
    let delivered = recorder.events.filter { $0.id.hasPrefix("cut-") }
    #expect(delivered == Array(cut.prefix(delivered.count)))
    #expect(delivered.count >= 500 && delivered.count < 6_000)
    #expect(recorder.failures.count == 1)
    let failure = try #require(recorder.failures.first?.error as? DecodeError)
    guard case .unreadable(let error) = failure.reason else {
      Issue.record("expected an unreadable input, got \(failure)")
      return
    }
    #expect(error.name == cutPath)
    #expect(error.operation == .shrink)
    #expect("\(error)".contains("truncated to"), "\(error)")
    #expect(recorder.finished.map(\.input) == [keptPath])
  }
}

/// A record with a wrong clock must not hold the rest of its input back in the merge (issue 9),
/// wherever it falls: inside a decoded chunk or at its end.
@Suite("a wrong clock in one of several inputs")
struct WrongClockMergeTests {
  @Test("an island a century ahead is handed on in its place; every other event stays in time order",
        arguments: 100..<108)
  func islandInPlace(position: Int) throws {
    let directory = try TemporaryDirectory()
    var first = sampleEvents("a", count: 400, start: sampleDay, step: 3_000)
    let second = sampleEvents("b", count: 400, start: sampleDay + 1_500, step: 3_000)
    first.insert(SampleEvent(time: sampleDay + 100 * 365 * millisecondsPerDay, id: "island"), at: position)
    let paths = [try directory.write("a.jsonl", rtemText(first)), try directory.write("b.jsonl", rtemText(second))]
    // Chunks of a few records each, so some position puts the island last in its chunk.
    let (recorder, _) = try merge(paths, decoderOptions: smallBuffers)
    let events = recorder.events
    #expect(events.count == 801)
    #expect(isTimeOrdered(events.filter { $0.id != "island" }), "nothing of a.jsonl came late")
    let island = try #require(events.firstIndex { $0.id == "island" })
    #expect(events[..<island].last { $0.id.hasPrefix("a-") }?.id == "a-\(position - 1)")
  }

  /// The first event after a real gap may be the last of its chunk, with nothing after it to
  /// show it is no island: the cursor reads the next chunk before deciding.
  @Test("after a real gap in one input, the other's events in the gap come first, wherever a chunk ends",
        arguments: 100..<108)
  func realGapAtChunkEnd(position: Int) throws {
    let directory = try TemporaryDirectory()
    let gap = 4 * 3_600_000 as Int64
    var first = sampleEvents("a", count: 400, start: sampleDay, step: 3_000)
    for index in position..<first.count { first[index].time += gap }
    let second = sampleEvents("b", count: 3_000, start: sampleDay + 1_500, step: 6_000)
    let paths = [try directory.write("a.jsonl", rtemText(first)), try directory.write("b.jsonl", rtemText(second))]
    let (recorder, _) = try merge(paths, decoderOptions: smallBuffers)
    #expect(recorder.events.count == 3_400)
    let disorder = zip(recorder.events, recorder.events.dropFirst()).first { $0.time > $1.time }
    #expect(disorder == nil, "the first event after the gap was merged as if it were an island")
  }
}
