import ExfilWatchDetector
import Foundation
import Yams

/// `exfilwatch.yaml`: what a deployment sets once instead of on every command line, secrets
/// included (as `${VARIABLE}` references, so the file itself holds none).
///
/// It holds the inputs, the sinks and their options, and any command-line option by its long
/// name (`warm_up: 3d` for `--warm-up 3d`); the command line wins over it (an option given
/// there replaces the file's, `--sink` replaces `sinks`, paths replace `inputs`).
/// `exfilwatch config example` prints a commented one.
///
/// ```yaml
/// inputs: [/var/log/salesforce/]
/// dimension: [actor, client, source_ip]
/// warm_up: 7d
/// sinks:
///   - stdout
///   - jsonl: /var/lib/exfilwatch/findings.jsonl
///   - webhook: https://soar.example.com/hooks/exfilwatch
///     secret: ${EXFILWATCH_WEBHOOK_SECRET}
/// ```
public struct ConfigurationFile: Sendable {
  /// The sinks, in the order given; `nil` when the file has no `sinks` key.
  public var sinks: [NamedSink]?
  /// What to read when the command line names nothing; `nil` when the file has no inputs.
  public var inputs: [ConfiguredInput]?
  /// Keys never alerted on, or only past their own thresholds.
  public var allowlist: Allowlist?
  /// Command-line options set by the file, by long name.
  public var options: [ConfiguredOption] = []

  static let topLevelKeys = ["sinks", "inputs", "allowlist"] + OptionEntry.kinds.keys.sorted()

  /// Reads and checks the file; every problem found is in the error.
  public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    throws(ConfigurationError) -> ConfigurationFile
  {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigurationError(problems: [
        ConfigurationProblem(file: path, line: 0, column: 0, keyPath: "", message: "cannot read the file")
      ])
    }
    return try ConfigurationFile(yaml: String(decoding: data, as: UTF8.self), file: path, environment: environment)
  }

  /// Parses `yaml`; `file` names it in problems.
  public init(yaml: String, file: String, environment: [String: String]) throws(ConfigurationError) {
    var reader = ConfigurationReader(file: file, environment: environment)
    let document: Node?
    do {
      document = try Yams.compose(yaml: yaml)
    } catch let error as YamlError {
      throw ConfigurationError(problems: [Self.problem(error, file: file)])
    } catch {
      throw ConfigurationError(problems: [
        ConfigurationProblem(file: file, line: 0, column: 0, keyPath: "", message: "\(error)")
      ])
    }
    if let document, let entries = reader.mapping(document, path: "", known: Self.topLevelKeys) {
      if let node = entries["sinks"] { sinks = SinkEntry.sinks(node, reader: &reader) }
      if let node = entries["inputs"] { inputs = ConfiguredInput.inputs(node, reader: &reader) }
      if let node = entries["allowlist"] { allowlist = AllowlistEntry.allowlist(node, reader: &reader) }
      options = OptionEntry.options(entries, reader: &reader)
    }
    guard reader.problems.isEmpty else {
      throw ConfigurationError(problems: reader.problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
    }
  }

  /// A YAML syntax error at its place.
  private static func problem(_ error: YamlError, file: String) -> ConfigurationProblem {
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
      return ConfigurationProblem(
        file: file, line: mark.line, column: mark.column, keyPath: "", message: "not valid YAML: \(text)")
    default:
      return ConfigurationProblem(file: file, line: 0, column: 0, keyPath: "", message: "not valid YAML: \(error)")
    }
  }
}
