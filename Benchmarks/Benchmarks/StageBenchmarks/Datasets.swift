import ExfilWatchDecoder
import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchSource
import Foundation

/// One format's parse benchmark: the sample it repeats and how the parser is told to read it.
///
/// Only sf-rtem and sf-elf have samples under `SampleLogs/`; the other formats are read from
/// the parser's test fixtures (a few records each, real exports' shapes, some deliberately bad
/// records included), repeated like the rest. Their rates are those of those shapes.
struct ParseSample {
  var format: LogFormat
  /// The sample, from the repository root.
  var path: String
  /// Whether the sample's first row is a CSV header, kept once at the top of the input.
  var hasHeader = false
  /// The fixture's `.args` file of `--field NAME=PATH` options, for the generic formats.
  var mappingArguments: String?

  /// Also the plain text that the decode benchmarks compress and `frame lines` cuts.
  static let salesforceRTEM = ParseSample(
    format: .salesforceRTEM, path: "SampleLogs/salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst")
  /// Also the CSV that `frame csv` cuts.
  static let salesforceELF = ParseSample(
    format: .salesforceELF, path: "SampleLogs/salesforce-elf/API-2025-06-30.csv.gz", hasHeader: true)

  static let all = [
    salesforceRTEM,
    salesforceELF,
    ParseSample(format: .okta, path: "\(fixtures)/okta/system-log.jsonl"),
    ParseSample(format: .m365, path: "\(fixtures)/m365/audit.jsonl"),
    ParseSample(format: .zendesk, path: "\(fixtures)/zendesk/audit.jsonl"),
    ParseSample(
      format: .jsonl, path: "\(fixtures)/jsonl/custom-app.jsonl",
      mappingArguments: "\(fixtures)/jsonl/custom-app.jsonl.args"),
  ]

  private static let fixtures = "Tests/ExfilWatchParserTests/Fixtures"

  /// The parser options `exfilwatch events --format FORMAT [--field ...]` would use.
  func parserOptions() throws -> ParserOptions {
    var specifications: [String] = []
    if let mappingArguments {
      let text = try String(contentsOfFile: SampleInputs.path(mappingArguments), encoding: .utf8)
      let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
      for (option, value) in zip(words, words.dropFirst()) where option == "--field" {
        specifications.append(value)
      }
    }
    return ParserOptions(format: .fixed(format), mapping: try FieldMapping(specifications: specifications))
  }
}

/// Events parsed once, in time order, with the symbol table they name their strings in: the
/// input of the Detector benchmark, and through it of the Sink benchmark.
struct ParsedEvents {
  var directory: String
  var events: [AccessEvent]
  var symbols: SymbolTable

  /// The simulated week `SampleLogs/simulated/connected-app-exfil`: 40 agents, one injected
  /// attack, so the detector also makes findings (one incident, updated as it grows).
  static let simulatedWeek = SampleInputs.path("SampleLogs/simulated/connected-app-exfil")

  /// The detector's dataset: `EXFILWATCH_BENCH_SIMULATION=DIR` if set, e.g. a larger
  /// organisation made by `exfilwatch simulate` (see Benchmarks/README.md), else the week.
  static var detectorDirectory: String {
    ProcessInfo.processInfo.environment["EXFILWATCH_BENCH_SIMULATION"] ?? simulatedWeek
  }

  /// Reads the directory's log files in name order (daily files sort by date), as one replay:
  /// one symbol table, and one read-operation tracker so that a query paged across midnight is
  /// counted once.
  static func load(_ directory: String) throws -> ParsedEvents {
    let files = try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { name in [".zst", ".gz", ".jsonl", ".csv"].contains { name.hasSuffix($0) } }
      .sorted()
    let symbols = SymbolTable()
    let operations = ReadOperationTracker()
    var collector = EventCollector()
    for file in files {
      let decoder = StreamDecoder(source: try FileByteSource(path: "\(directory)/\(file)"))
      let parser = EventParser(inputName: file, symbols: symbols, options: ParserOptions(), operations: operations)
      while let chunk = try decoder.nextChunk() {
        try parser.feed(chunk, into: &collector)
      }
      try parser.finish(into: &collector)
    }
    guard !collector.events.isEmpty else { throw EmptyDataset(directory: directory) }
    return ParsedEvents(directory: directory, events: collector.events, symbols: symbols)
  }

  /// Runs a fresh detector with the default configuration over the events, as `exfilwatch
  /// replay` does: findings taken as they are made, and the last windows judged at the end.
  ///
  /// - Parameter deliver: receives each batch of findings, in the order they were made.
  func detect(deliver: ([Finding]) throws -> Void) rethrows {
    let detector = Detector(symbols: symbols)
    for event in events {
      detector.process(event)
      if detector.hasFindings { try deliver(detector.takeFindings()) }
    }
    detector.finish()
    if detector.hasFindings { try deliver(detector.takeFindings()) }
  }
}

/// A dataset directory that gave no events.
struct EmptyDataset: Error, CustomStringConvertible {
  var directory: String
  var description: String { "\(directory): no events (no .zst, .gz, .jsonl or .csv logs?)" }
}
