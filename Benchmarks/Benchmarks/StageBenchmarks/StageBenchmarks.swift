import Benchmark
import ExfilWatchDecoder
import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchFramer
import ExfilWatchParser
import ExfilWatchSinks
import ExfilWatchSource

/// Each pipeline stage alone, over an in-memory input made in the benchmark's `setup` (never
/// measured), so a change to one stage shows in its own numbers:
///
/// ```
///  decode ──▶ frame ──▶ parse (per format) ──▶ detect ──▶ sink
/// ```
///
/// One iteration processes the whole input with a fresh stage instance, as a run processes one
/// file (`stageBenchmark`). Besides the framework's metrics, each benchmark reports its rate
/// and its allocations per thousand units (`WorkUnit` says why).
let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 25)

  registerDecodeBenchmarks()
  registerFrameBenchmarks()
  registerParseBenchmarks()
  registerDetectAndSinkBenchmarks()
}

/// Decoder: StreamDecoder over a MemoryByteSource, with the decoder's default buffers, counting
/// decoded bytes. The input is the RTEM sample repeated to 64 MiB and compressed by the codec's
/// own tool at its default level, one frame or member, as a daily archive would be.
private func registerDecodeBenchmarks() {
  for (codec, command) in [("zstd", ["zstd", "-q", "-3", "-c"]), ("gzip", ["gzip", "-6", "-c"])] {
    stageBenchmark("decode \(codec)", unit: .megabytes) {
      try SampleInputs.compressed(try SampleInputs.repeated(ParseSample.salesforceRTEM.path), command: command)
    } stage: { compressed in
      let decoder = StreamDecoder(source: MemoryByteSource(bytes: compressed))
      var decoded = 0
      while let chunk = try decoder.nextChunk() {
        decoded += chunk.count
      }
      return decoded
    }
  }
}

/// Framer: the decoded input fed in the decoder's chunk size, records counted. LineFramer over
/// RTEM JSON lines; CSVRecordFramer (quote-aware, a record may span lines) over ELF CSV.
private func registerFrameBenchmarks() {
  stageBenchmark("frame lines", unit: .lines) {
    try SampleInputs.repeated(ParseSample.salesforceRTEM.path)
  } stage: { input in
    try frame(input, with: LineFramer())
  }

  stageBenchmark("frame csv", unit: .records) {
    try SampleInputs.repeated(ParseSample.salesforceELF.path, hasHeader: true)
  } stage: { input in
    try frame(input, with: CSVRecordFramer())
  }
}

/// Cuts `input` into records with `framer`, chunk by chunk; returns the number of records.
private func frame<Framer: RecordFramer>(_ input: [UInt8], with framer: Framer) throws -> Int {
  var framer = framer
  var counter = RecordCounter()
  try forEachDecodedChunk(of: input) { try framer.feed($0, into: &counter) }
  try framer.finish(into: &counter)
  blackHole(counter.bytes)
  return counter.records
}

/// Parser: a fresh EventParser (and symbol table, as for a run's first input) per iteration,
/// with the format fixed, fed the decoded input chunk by chunk; events counted, none kept.
private func registerParseBenchmarks() {
  for sample in ParseSample.all {
    stageBenchmark("parse \(sample.format.rawValue)", unit: .events) {
      (try SampleInputs.repeated(sample.path, hasHeader: sample.hasHeader), try sample.parserOptions())
    } stage: { input, options in
      let parser = EventParser(inputName: sample.path, symbols: SymbolTable(), options: options)
      var counter = EventCounter()
      try forEachDecodedChunk(of: input) { try parser.feed($0, into: &counter) }
      try parser.finish(into: &counter)
      blackHole(counter.timeSum)
      return counter.events
    }
  }
}

/// Detector and Sink, over events parsed once in setup (`ParsedEvents`).
///
/// detect: a fresh Detector per iteration takes every event, as a replay of the whole
/// directory would; its findings are counted, not delivered. Over the simulated week, or the
/// directory named by `EXFILWATCH_BENCH_SIMULATION`.
///
/// sink jsonl: the findings that detection makes of the simulated week (always the week: a
/// short simulation may hold none, as the detector is still warming up), written as OCSF JSON
/// lines to /dev/null by a JSONLinesSink, batch by batch with a flush (write and fsync) after
/// each, as a run delivers them; the batches are written again until `findingsPerIteration`
/// findings are out, since a week holds only a handful.
private func registerDetectAndSinkBenchmarks() {
  stageBenchmark("detect", unit: .events) {
    try ParsedEvents.load(ParsedEvents.detectorDirectory)
  } stage: { dataset in
    var findings = 0
    dataset.detect { findings += $0.count }
    blackHole(findings)
    return dataset.events.count
  }

  let findingsPerIteration = 1_000
  stageBenchmark("sink jsonl", unit: .findings) { () throws -> [[Finding]] in
    let dataset = try ParsedEvents.load(ParsedEvents.simulatedWeek)
    var batches: [[Finding]] = []
    dataset.detect { batches.append($0) }
    guard !batches.isEmpty else { throw NoFindings(directory: dataset.directory) }
    return batches
  } stage: { batches in
    var sink = try JSONLinesSink(path: "/dev/null", productVersion: "benchmark")
    var written = 0
    while written < findingsPerIteration {
      for batch in batches {
        for finding in batch {
          sink.write(finding)
        }
        try sink.flush()
        written += batch.count
      }
    }
    return written
  }
}

/// A dataset on which the detector found nothing, so the sink would have nothing to write.
private struct NoFindings: Error, CustomStringConvertible {
  var directory: String
  var description: String { "\(directory): the detector made no finding to write" }
}
