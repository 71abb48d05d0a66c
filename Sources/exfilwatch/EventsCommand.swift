import ArgumentParser
import ExfilWatchEvent
import ExfilWatchParser

/// `exfilwatch events`: Source → Decoder → Framer → Parser, printing the canonical events, to
/// see exactly what the detector will be given (and what was rejected).
struct EventsCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "events",
    abstract: "Print the canonical access events parsed from audit logs, one JSON object per line.",
    discussion: """
      Keys: time, actor, actorId, client, sourceIP, action, object, records, isRead, bytes, \
      session, eventID, tenant, format, source (input:line); absent values are null. What each \
      format maps to them, and how one logical read is counted once, is described in \
      Sources/ExfilWatchParser/Formats.md.

      Rejected records are counted per input and reason; the first few are reported on \
      standard error, and --rejects keeps them all. An input whose first records are mostly \
      rejected is not in the format given: it is stopped (exit code 3).

      Examples:
        exfilwatch events SampleLogs/salesforce-rtem/*.jsonl.zst | head -3
        exfilwatch events --count --format sf-elf SampleLogs/salesforce-elf/*.csv.gz
        exfilwatch events --format jsonl --field time=ts --field actor=user.email \\
          --field records=rows app-audit.jsonl
      """
  )

  @OptionGroup var logging: LoggingOptions

  @OptionGroup var input: InputOptions
  @OptionGroup var parsing: ParsingOptions

  @Flag(help: "Print only counts per input: records, events, reads, and rejects by reason.")
  var count = false

  func run() throws {
    let symbols = SymbolTable()
    let output = StandardOutput()
    let rejectsFile = try parsing.rejects.map { try RejectsFile(path: $0) }
    var totals = InputSummary()
    var failures = 0
    for path in input.paths {
      let name = input.displayName(path)
      let parser = EventParser(inputName: name, symbols: symbols, options: parsing.parserOptions)
      var printer = EventPrinter(
        input: name, writer: count ? nil : EventJSONWriter(symbols: symbols), output: output,
        rejects: RejectReporter(rejectsFile: rejectsFile))
      do {
        try input.forEachDecodedChunk(of: path) {
          try parser.feed($0, into: &printer)
          // Events are printed as parsed: only the parser holds a symbol between chunks.
          if symbols.isSweepDue {
            var marks = SymbolMarks(symbolCount: symbols.count)
            marks.mark(parser.inputSymbol)
            symbols.sweep(keeping: marks)
          }
        }
        try parser.finish(into: &printer)
      } catch let error as RejectsFileError {
        output.flush()
        Log.error("\(error)")
        throw ExitStatus.outputError.exitCode
      } catch {
        output.flush()
        Log.error("\(error)")
        failures += 1
      }
      let summary = parser.summary
      if count { output.write("\(name): \(Self.describe(summary))\n") }
      if !count, summary.rejected > 0 {
        output.flush()
        Log.warning("\(name): \(Self.describe(summary))", ["input": "\(name)"])
      }
      totals.records += summary.records
      totals.events += summary.events
      totals.reads += summary.reads
      totals.rejects.merge(summary.rejects, uniquingKeysWith: +)
    }
    if count && input.paths.count > 1 { output.write("total: \(Self.describe(totals))\n") }
    output.flush()
    if failures > 0 { throw ExitStatus.inputError.exitCode }
  }

  /// `sf-rtem, 12639 records, 12639 events, 12639 reads, 2 rejected (bad-json 1, bad-time 1)`.
  static func describe(_ summary: InputSummary) -> String {
    var text = summary.format.map { "\($0.rawValue), " } ?? ""
    text += "\(summary.records) records, \(summary.events) events, \(summary.reads) reads, "
    text += "\(summary.rejected) rejected"
    if summary.rejected > 0 {
      let reasons = summary.rejects.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
      text += " (\(reasons.joined(separator: ", ")))"
    }
    return text
  }
}

/// Prints events and reports rejected records for one input.
private struct EventPrinter: EventHandler {
  let input: String
  var writer: EventJSONWriter?
  let output: StandardOutput
  var rejects: RejectReporter

  mutating func handleEvent(_ event: AccessEvent) {
    writer?.write(event, to: output)
  }

  mutating func handleReject(_ reject: RejectedRecord) throws {
    try rejects.report(reject, input: input) { output.flush() }
  }
}
