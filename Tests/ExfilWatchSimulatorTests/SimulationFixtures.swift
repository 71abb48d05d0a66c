import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchSimulator
import ExfilWatchSource
import ExfilWatchTestSupport
import Foundation

/// A simulation written into its own temporary directory (removed when released).
final class WrittenSimulation {
  let directory: TemporaryDirectory
  let report: SimulationReport

  init(_ options: SimulationOptions) throws {
    directory = try TemporaryDirectory()
    report = try Simulator(options: options).run(outputDirectory: directory.url.path)
  }

  var labels: SimulationLabels { report.labels }

  /// Every file decoded and parsed with the project's Decoder and Parser stages.
  func parse() throws -> ParsedSimulation {
    var parsed = ParsedSimulation()
    let format = report.labels.options.format == .salesforceRTEM ? LogFormat.salesforceRTEM : .salesforceELF
    for path in report.files {
      let symbols = SymbolTable()
      let parser = EventParser(inputName: path, symbols: symbols, options: ParserOptions(format: .fixed(format)))
      var collector = ParsedEventCollector(symbols: symbols)
      let decoder = StreamDecoder(source: try FileByteSource(path: path))
      while let chunk = try decoder.nextChunk() {
        try parser.feed(chunk, into: &collector)
      }
      try parser.finish(into: &collector)
      parsed.events += collector.events
      parsed.rejects += collector.rejects
      parsed.decodedBytes += decoder.decodedOffset
    }
    return parsed
  }
}

/// What the parser made of a whole simulation, with strings resolved.
struct ParsedSimulation {
  var events: [ParsedEvent] = []
  var rejects = 0
  var decodedBytes: Int64 = 0
}

struct ParsedEvent: Hashable {
  var time: Int64
  var actor: String?
  var actorID: String?
  var client: String?
  var sourceIP: String?
  var object: String?
  var action: String
  var records: Int64
  var session: String?
  var eventID: String
}

struct ParsedEventCollector: EventHandler {
  let symbols: SymbolTable
  var events: [ParsedEvent] = []
  var rejects = 0

  mutating func handleEvent(_ event: AccessEvent) {
    events.append(
      ParsedEvent(
        time: event.time, actor: symbols.string(event.actor), actorID: symbols.string(event.actorID),
        client: symbols.string(event.client), sourceIP: symbols.string(event.sourceIP),
        object: symbols.string(event.object), action: event.action.rawValue, records: event.records,
        session: symbols.string(event.session), eventID: event.eventID?.description ?? ""))
  }

  mutating func handleReject(_ reject: RejectedRecord) {
    rejects += 1
  }
}

/// Parsed baselines, shared by the tests that compare an attack scenario with its baseline
/// (each is written and parsed once; parsing is the slow part in a debug build).
final class BaselineCache: @unchecked Sendable {
  static let shared = BaselineCache()
  private let lock = NSLock()
  private var parsed: [String: ParsedSimulation] = [:]

  func parsedBaseline(like options: SimulationOptions) throws -> ParsedSimulation {
    var baseline = options
    baseline.scenario = .baseline
    let key = "\(baseline)"
    lock.lock()
    defer { lock.unlock() }
    if let known = parsed[key] { return known }
    let made = try WrittenSimulation(baseline).parse()
    parsed[key] = made
    return made
  }
}

/// Small simulations, quick to write and parse in a debug build.
func smallOptions(
  _ scenario: Scenario, format: SimulationFormat = .salesforceRTEM, seed: UInt64 = 1, days: Int = 4,
  agents: Int = 30
) -> SimulationOptions {
  SimulationOptions(scenario: scenario, seed: seed, days: days, agents: agents, format: format)
}

/// `2025-06-02T06:51:45.964Z` as epoch milliseconds.
func epochMilliseconds(_ text: String) -> Int64? {
  let parts = text.split(separator: "T")
  guard parts.count == 2, let date = CivilDate(parsing: String(parts[0])) else { return nil }
  let clock = parts[1].dropLast().split(whereSeparator: { ":.".contains($0) }).compactMap { Int64($0) }
  guard clock.count == 4 else { return nil }
  return Int64(date.daysSinceEpoch) * 86_400_000 + clock[0] * 3_600_000 + clock[1] * 60_000
    + clock[2] * 1000 + clock[3]
}
