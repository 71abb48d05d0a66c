import ArgumentParser
import ExfilWatchConfiguration
import ExfilWatchParser

/// The options of the Parser stage, shared by the commands that read events.
struct ParsingOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Log format: auto, sf-rtem, sf-elf, okta, m365, servicenow, zendesk, jsonl, csv.",
    discussion: "auto recognises the platform from each input's first record."))
  var format = "auto"

  @Option(
    name: .customLong("field"),
    help: ArgumentHelp(
      "Field mapping for --format jsonl/csv: NAME=PATH (a JSON path like user.email, or a CSV column).",
      valueName: "name=path"))
  var fields: [String] = []

  @Option(help: "Longest record to keep, in bytes (suffixes K, M, G); longer ones are rejected.")
  var maxRecordLength = ByteCount(bytes: 1 << 20)

  @Option(help: ArgumentHelp(
    "Longest value (user name, client, address, object) kept as it is, in bytes; longer ones are cut and end with a hash of the whole, so distinct values stay distinct.",
    valueName: "bytes"))
  var maxKeyLength = ByteCount(bytes: ParserOptions.defaultMaxValueLength)

  @Option(help: ArgumentHelp(
    "Most fields one record may have (JSON members and elements at any depth, CSV columns); records with more are rejected.",
    valueName: "count"))
  var maxFields = ParserOptions.defaultMaxFields

  @Option(help: "Write every rejected record, with its input, line and reason, to this file (JSON lines).")
  var rejects: String?

  func validate() throws {
    guard FormatChoice(name: format) != nil else {
      throw ValidationError("unknown --format '\(format)'.")
    }
    do {
      _ = try FieldMapping(specifications: fields)
    } catch {
      throw ValidationError("\(error).")
    }
    guard (1...ByteCount.largestLimit).contains(maxRecordLength.bytes) else {
      throw ValidationError("--max-record-length must be between 1 byte and 1G.")
    }
    guard maxFields >= 1 else { throw ValidationError("--max-fields must be at least 1.") }
    guard (16...(1 << 20)).contains(maxKeyLength.bytes) else {
      throw ValidationError("--max-key-length must be between 16 bytes and 1M.")
    }
  }

  /// A config file input's own options: its format and mapping over the run's; nil when it
  /// gives neither.
  ///
  /// - Throws: `ExitCode` 2 (said on standard error) for a mapping that is not valid.
  func parserOptions(for input: ConfiguredInput) throws -> ParserOptions? {
    guard input.format != nil || !input.fields.isEmpty else { return nil }
    var options = parserOptions
    if let format = input.format { options.format = FormatChoice(name: format) ?? .auto }
    if !input.fields.isEmpty {
      do {
        options.mapping = try FieldMapping(specifications: input.fields)
      } catch {
        Log.error("config input \(input.path): \(error)")
        throw ExitStatus.usage.exitCode
      }
    }
    return options
  }

  var parserOptions: ParserOptions {
    ParserOptions(
      format: FormatChoice(name: format) ?? .auto,
      mapping: (try? FieldMapping(specifications: fields)) ?? FieldMapping(),
      maxRecordLength: maxRecordLength.bytes, maxValueLength: maxKeyLength.bytes, maxFields: maxFields)
  }
}
