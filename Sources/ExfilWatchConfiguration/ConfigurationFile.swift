import Foundation
import Yams

/// `exfilwatch.yaml`: what a deployment sets once instead of on every command line, secrets
/// included (as `${VARIABLE}` references, so the file itself holds none).
///
/// For now it holds the sinks and their options; the command line wins over it (`--sink`
/// given on the command line replaces the file's `sinks`).
///
/// ```yaml
/// sinks:
///   - stdout
///   - jsonl: /var/lib/exfilwatch/findings.jsonl
///   - webhook: https://soar.example.com/hooks/exfilwatch
///     secret: ${EXFILWATCH_WEBHOOK_SECRET}
/// ```
public struct ConfigurationFile: Sendable {
  /// The sinks, in the order given; `nil` when the file has no `sinks` key.
  public var sinks: [NamedSink]?

  static let topLevelKeys = ["sinks"]

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
    }
    guard reader.problems.isEmpty else { throw ConfigurationError(problems: reader.problems) }
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
