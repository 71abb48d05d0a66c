import ExfilWatchDecoder
import ExfilWatchPipeline
import ExfilWatchSource
import ExfilWatchTestSupport
import Foundation
import Testing

@Suite("inputs are merged into one event-time order")
struct TimeOrderedMergeTests {
  @Test("two inputs with interleaved times give the sorted union; equal times in input order",
        arguments: [DecoderOptions(), smallBuffers])
  func interleavedInputs(decoderOptions: DecoderOptions) throws {
    let directory = try TemporaryDirectory()
    // Every 6 s both inputs have an event at the same time.
    let first = sampleEvents("a", count: 3_000, start: sampleDay, step: 2_000)
    let second = sampleEvents("b", count: 2_000, start: sampleDay, step: 3_000)
    let firstText = rtemText(first)
    let secondText = rtemText(second)
    let firstPath = try directory.write("a.jsonl.zst", try Storage.zstd.encode(firstText))
    let secondPath = try directory.write("b.jsonl.gz", try Storage.gzip.encode(secondText))

    let (recorder, statistics) = try merge([firstPath, secondPath], decoderOptions: decoderOptions)

    let expected = (first.map { ($0, 0) } + second.map { ($0, 1) })
      .enumerated()
      .sorted { ($0.element.0.time, $0.element.1, $0.offset) < ($1.element.0.time, $1.element.1, $1.offset) }
      .map(\.element.0)
    #expect(recorder.events == expected)
    #expect(isTimeOrdered(recorder.events))
    #expect(statistics.events == 5_000)
    #expect(recorder.failures.isEmpty)
    #expect(recorder.finished.map(\.input).sorted() == [firstPath, secondPath])
    for (path, text, count) in [(firstPath, firstText, 3_000), (secondPath, secondText, 2_000)] {
      let report = try #require(recorder.finished.first { $0.input == path })
      #expect(report.summary.events == count)
      #expect(report.summary.format == .salesforceRTEM)
      #expect(report.compressedBytes == Int64(try readBytes(path).count))
      #expect(report.decodedBytes == Int64(text.count))
    }
  }

  @Test("ten daily files given in shuffled order are read in time order, at most two open")
  func dailyFiles() throws {
    let directory = try TemporaryDirectory()
    let days = (0..<10).map { day in
      sampleEvents("day\(day)", count: 400, start: sampleDay + Int64(day) * millisecondsPerDay, step: 200_000)
    }
    var paths = try days.enumerated().map { day, events in
      try directory.write("2025-07-\(day + 10).jsonl.zst", try Storage.zstd.encode(rtemText(events)))
    }
    var random = SeededGenerator(seed: 7)
    paths.shuffle(using: &random)

    let (recorder, statistics) = try merge(paths, decoderOptions: smallBuffers)

    #expect(recorder.events == days.flatMap { $0 })
    #expect(statistics.maxOpenInputs <= 2)
    #expect(recorder.finished.map(\.input) == paths.sorted(), "each day ends before the next")
    #expect(recorder.finished.allSatisfy { $0.summary.events == 400 })
  }

  @Test("splitting a file into two at any line gives the same merged sequence")
  func splitFiles() throws {
    let directory = try TemporaryDirectory()
    // Three events per second: ties inside the file and across some of the split points.
    let events = (0..<300).map { SampleEvent(time: sampleDay + Int64($0 / 3) * 1_000, id: "e-\($0)") }
    let lines = rtemLines(events)
    var random = SeededGenerator(seed: 11)
    let splits = [1, 2, 3, 150, 151, 299] + (0..<6).map { _ in 1 + Int(random.next() % 298) }
    for split in splits {
      let head = Array((lines[..<split].joined(separator: "\n") + "\n").utf8)
      let tail = Array((lines[split...].joined(separator: "\n") + "\n").utf8)
      let headPath = try directory.write("head-\(split).jsonl.gz", try Storage.gzip.encode(head))
      let tailPath = try directory.write("tail-\(split).jsonl.zst", try Storage.zstd.encode(tail))
      let (recorder, _) = try merge([headPath, tailPath], decoderOptions: smallBuffers)
      #expect(recorder.events == events, "split at line \(split)")
      #expect(recorder.finished.map(\.summary.events) == [split, events.count - split])
    }
  }

  @Test("an input that is not time-sorted is passed on as it comes, not sorted")
  func unsortedInput() throws {
    let directory = try TemporaryDirectory()
    let unsorted = [5, 1, 9].map { SampleEvent(time: sampleDay + Int64($0) * 1_000, id: "u-\($0)") }
    let sorted = [3, 7].map { SampleEvent(time: sampleDay + Int64($0) * 1_000, id: "s-\($0)") }
    let (recorder, _) = try merge([
      try directory.write("unsorted.jsonl", rtemText(unsorted)),
      try directory.write("sorted.jsonl", rtemText(sorted)),
    ])
    #expect(recorder.events.map(\.id) == ["s-3", "u-5", "u-1", "s-7", "u-9"])
  }

  @Test("an input read once (standard input) stays open from its first look and loses nothing")
  func readOnceInput() throws {
    let directory = try TemporaryDirectory()
    let fileEvents = sampleEvents("file", count: 500, start: sampleDay, step: 2_000)
    let streamEvents = sampleEvents("stdin", count: 500, start: sampleDay + 1_000, step: 2_000)
    let streamText = rtemText(streamEvents)
    let filePath = try directory.write("file.jsonl.zst", try Storage.zstd.encode(rtemText(fileEvents)))
    let stream = MemoryByteSource(name: "<stdin>", bytes: streamText, maxReadBytes: 700)

    let (recorder, statistics) = try merge(
      [MergeInput(readOnce: stream), MergeInput(path: filePath)], decoderOptions: smallBuffers)

    #expect(recorder.events == zip(fileEvents, streamEvents).flatMap { [$0, $1] })
    #expect(statistics.maxOpenInputs == 2, "the stream stays open while the file is read")
    let report = try #require(recorder.finished.first { $0.input == "<stdin>" })
    #expect(report.summary.events == 500)
    #expect(report.compressedBytes == Int64(streamText.count))
    #expect(report.decodedBytes == Int64(streamText.count))
  }
}
