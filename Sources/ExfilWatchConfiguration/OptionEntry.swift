import ExfilWatchEvent
import Yams

/// A command-line option set in the config file: `warm_up: 3d` is `--warm-up 3d`,
/// `dimension: [actor, client]` is `--dimension actor --dimension client`. A command takes the
/// ones it has; one given on the command line replaces the file's.
public struct ConfiguredOption: Sendable, Equatable {
  /// The long option's name, as on the command line: `warm-up`.
  public var name: String
  /// The values in command-line form: one for most options, several for a repeatable one, none
  /// for a flag that is set.
  public var values: [String]
  /// Where the value is written (1-based), for messages about it.
  public var line: Int
  public var column: Int

  public init(name: String, values: [String], line: Int = 0, column: Int = 0) {
    self.name = name
    self.values = values
    self.line = line
    self.column = column
  }

  /// The option as command-line arguments.
  public var arguments: [String] {
    values.isEmpty ? ["--\(name)"] : values.flatMap { ["--\(name)", $0] }
  }
}

/// The options a config file may set, each checked for its kind of value where it is written,
/// so a mistake is reported with its line before any command runs. What the value means (a
/// dimension's fields, a horizon's spec) is checked by the command that takes it.
enum OptionEntry {
  enum Kind {
    case text, duration, size, count, list, flag
    case choice([String])
  }

  static let kinds: [String: Kind] = [
    // Reading.
    "format": .choice(["auto"] + LogFormat.allCases.map(\.rawValue)), "field": .list,
    "max_record_length": .size, "max_key_length": .size, "max_fields": .count, "max_window": .size, "rejects": .text,
    // Detecting.
    "dimension": .list, "horizon": .list, "warm_up": .duration, "allowed_lateness": .duration,
    "quiet_period": .duration, "relearn_after": .duration, "max_keys": .count, "threads": .count,
    "max_time_jump": .duration, "jump_confirmations": .count,
    // State, output and logs.
    "state": .text, "checkpoint_interval": .duration, "quiet": .flag, "verbose": .flag,
    "metrics_file": .text, "max_spool": .count, "metrics_listen": .text,
    "log_level": .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]),
    "log_format": .choice(["text", "json"]),
    // tail.
    "poll_interval": .duration, "rotate_wait": .duration, "idle_close": .duration,
  ]

  /// The options among `entries` (keys in `kinds`), in key order so the arguments made of them
  /// are the same on every run.
  static func options(_ entries: [String: Node], reader: inout ConfigurationReader) -> [ConfiguredOption] {
    var options: [ConfiguredOption] = []
    for (key, node) in entries.sorted(by: { $0.key < $1.key }) {
      guard let kind = kinds[key] else { continue }
      let name = key.replacingOccurrences(of: "_", with: "-")
      if let values = values(node, kind: kind, path: key, reader: &reader) {
        options.append(
          ConfiguredOption(name: name, values: values, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0))
      }
    }
    return options
  }

  /// The option's values in command-line form; nil when wrong (noted) or a flag set to false.
  private static func values(_ node: Node, kind: Kind, path: String, reader: inout ConfigurationReader) -> [String]? {
    switch kind {
    case .list:
      guard let items = node.sequence else { return reader.string(node, path: path).map { [$0] } }
      let values = items.enumerated().compactMap { reader.string($1, path: "\(path)[\($0)]") }
      return values.count == items.count ? values : nil
    case .flag:
      guard let text = reader.string(node, path: path) else { return nil }
      switch text {
      case "true", "yes", "on": return []
      case "false", "no", "off": return nil
      default:
        reader.problem("expected true or false", at: node, path: path)
        return nil
      }
    case .duration:
      return reader.duration(node, path: path, within: 0...(3660 * 86_400_000)).map { [DurationText.text(milliseconds: $0)] }
    case .count:
      return reader.integer(node, path: path, within: 0...Int(Int32.max)).map { [String($0)] }
    case .size:
      guard let text = reader.string(node, path: path) else { return nil }
      let digits = text.prefix { $0.isASCII && $0.isNumber }
      let units = ["", "B", "K", "KB", "KIB", "M", "MB", "MIB", "G", "GB", "GIB"]
      guard !digits.isEmpty, units.contains(text.dropFirst(digits.count).uppercased()) else {
        reader.problem("expected a size such as 1048576, 512K, 1M or 2G", at: node, path: path)
        return nil
      }
      return [text]
    case .choice(let choices):
      guard let text = reader.string(node, path: path) else { return nil }
      guard choices.contains(text) else {
        reader.problem("expected one of: \(choices.joined(separator: ", "))", at: node, path: path)
        return nil
      }
      return [text]
    case .text:
      return reader.string(node, path: path).map { [$0] }
    }
  }
}
