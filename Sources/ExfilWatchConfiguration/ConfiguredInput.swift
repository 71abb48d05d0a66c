import ExfilWatchEvent
import Yams

/// One entry of `inputs:`: a path (file, directory, glob for `tail`), alone or with the
/// format and field mapping of its logs, so one run reads several platforms' exports:
///
/// ```yaml
/// inputs:
///   - /var/log/salesforce/              # the run's --format (auto by default)
///   - path: /var/log/app/access.jsonl
///     format: jsonl
///     field: [time=ts, actor=user.email, records=rows]
/// ```
public struct ConfiguredInput: Sendable, Equatable {
  public var path: String
  /// A format name (`sf-rtem`, `jsonl`, ...); nil: the run's `--format`.
  public var format: String?
  /// `NAME=PATH` mappings for `jsonl` and `csv`, as `--field` takes them.
  public var fields: [String]

  public init(path: String, format: String? = nil, fields: [String] = []) {
    self.path = path
    self.format = format
    self.fields = fields
  }

  static func inputs(_ node: Node, reader: inout ConfigurationReader) -> [ConfiguredInput]? {
    guard let items = node.sequence, !items.isEmpty else {
      reader.problem("expected a list of paths (lines starting with '- ')", at: node, path: "inputs")
      return nil
    }
    let inputs = items.enumerated().compactMap { input($1, path: "inputs[\($0)]", reader: &reader) }
    return inputs.count == items.count ? inputs : nil
  }

  private static func input(_ node: Node, path: String, reader: inout ConfigurationReader) -> ConfiguredInput? {
    guard node.mapping != nil else { return reader.string(node, path: path).map { ConfiguredInput(path: $0) } }
    guard let entries = reader.mapping(node, path: path, known: ["path", "format", "field"]) else { return nil }
    guard let pathNode = entries["path"] else {
      reader.problem("an input with options needs its path:", at: node, path: path)
      return nil
    }
    guard let file = reader.string(pathNode, path: "\(path).path") else { return nil }
    var input = ConfiguredInput(path: file)
    if let formatNode = entries["format"] {
      let formats = ["auto"] + LogFormat.allCases.map(\.rawValue)
      guard let format = reader.string(formatNode, path: "\(path).format") else { return nil }
      guard formats.contains(format) else {
        reader.problem("expected one of: \(formats.joined(separator: ", "))", at: formatNode, path: "\(path).format")
        return nil
      }
      input.format = format
    }
    if let fieldNode = entries["field"] {
      let items = fieldNode.sequence ?? [fieldNode]
      let fields = items.enumerated().compactMap { reader.string($1, path: "\(path).field[\($0)]") }
      guard fields.count == items.count else { return nil }
      input.fields = fields
    }
    return input
  }
}
