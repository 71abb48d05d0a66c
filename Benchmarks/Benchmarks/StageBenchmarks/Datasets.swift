import ExfilWatchEvent
import ExfilWatchParser
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
