import ExfilWatchEvent
import Yams

/// Reads values out of a composed YAML document, noting every problem with its line, column and
/// key path instead of stopping at the first.
///
/// String values may name environment variables, `${NAME}`, so secrets stay out of the file;
/// `$$` is a literal `$`. An unset variable is a problem, never an empty string.
struct ConfigurationReader {
  let file: String
  let environment: [String: String]
  private(set) var problems: [ConfigurationProblem] = []

  init(file: String, environment: [String: String]) {
    self.file = file
    self.environment = environment
  }

  mutating func problem(_ message: String, at node: Node?, path: String) {
    problems.append(
      ConfigurationProblem(
        file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, keyPath: path,
        message: message))
  }

  /// The mapping's entries by key, noting keys that are not strings, repeated or (when `known`
  /// is given) unknown.
  mutating func mapping(_ node: Node, path: String, known: [String]? = nil) -> [String: Node]? {
    guard let mapping = node.mapping else {
      problem("expected a mapping (key: value lines)", at: node, path: path)
      return nil
    }
    var entries: [String: Node] = [:]
    for (key, value) in mapping {
      guard let name = key.scalar?.string else {
        problem("a key must be a plain word", at: key, path: path)
        continue
      }
      let keyPath = path.isEmpty ? name : "\(path).\(name)"
      if let known, !known.contains(name) {
        problem("unknown key; expected one of: \(known.joined(separator: ", "))", at: key, path: keyPath)
      } else if entries[name] != nil {
        problem("given twice", at: key, path: keyPath)
      } else {
        entries[name] = value
      }
    }
    return entries
  }

  /// A scalar as text with `${NAME}` expanded.
  mutating func string(_ node: Node, path: String) -> String? {
    guard let scalar = node.scalar else {
      problem("expected a single value", at: node, path: path)
      return nil
    }
    return expand(scalar.string, at: node, path: path)
  }

  /// One of `choices`.
  mutating func choice<Choice: RawRepresentable & CaseIterable>(
    _ node: Node, path: String, as type: Choice.Type
  ) -> Choice? where Choice.RawValue == String {
    guard let text = string(node, path: path) else { return nil }
    guard let choice = Choice(rawValue: text) else {
      let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
      problem("expected one of: \(names)", at: node, path: path)
      return nil
    }
    return choice
  }

  /// A duration such as `10s` or `500ms`, within `range` (milliseconds).
  mutating func duration(_ node: Node, path: String, within range: ClosedRange<Int64>) -> Int64? {
    guard let text = string(node, path: path) else { return nil }
    guard let milliseconds = DurationText.milliseconds(text), range.contains(milliseconds) else {
      problem(
        "expected a duration from \(DurationText.text(milliseconds: range.lowerBound)) to "
          + "\(DurationText.text(milliseconds: range.upperBound)), such as 10s or 500ms", at: node, path: path)
      return nil
    }
    return milliseconds
  }

  /// A whole number within `range`.
  mutating func integer(_ node: Node, path: String, within range: ClosedRange<Int>) -> Int? {
    guard let text = string(node, path: path) else { return nil }
    guard let value = Int(text), range.contains(value) else {
      problem("expected a whole number from \(range.lowerBound) to \(range.upperBound)", at: node, path: path)
      return nil
    }
    return value
  }

  /// A number (`4`, `2.5`) within `range`.
  mutating func number(_ node: Node, path: String, within range: ClosedRange<Double>) -> Double? {
    guard let text = string(node, path: path) else { return nil }
    guard let value = Double(text), value.isFinite, range.contains(value) else {
      problem("expected a number from \(range.lowerBound) to \(range.upperBound)", at: node, path: path)
      return nil
    }
    return value
  }

  /// `${NAME}` replaced by the variable, `$$` by `$`; any other `$` is a mistake (a `$NAME`
  /// or an unclosed `${`), never passed on as text: a secret mistyped that way would become a
  /// literal secret.
  private mutating func expand(_ text: String, at node: Node, path: String) -> String? {
    guard text.contains("$") else { return text }
    var result = ""
    var rest = Substring(text)
    while let dollar = rest.firstIndex(of: "$") {
      result += rest[..<dollar]
      let after = rest[rest.index(after: dollar)...]
      if after.first == "$" {
        result += "$"
        rest = after.dropFirst()
        continue
      }
      guard after.first == "{", let close = after.firstIndex(of: "}"),
        case let name = after[after.index(after: after.startIndex)..<close], Self.isVariableName(name)
      else {
        problem("a $ starts ${NAME} (letters, digits, _), or is written $$", at: node, path: path)
        return nil
      }
      guard let value = environment[String(name)] else {
        problem("environment variable \(name) is not set", at: node, path: path)
        return nil
      }
      result += value
      rest = after[after.index(after: close)...]
    }
    return result + rest
  }

  private static func isVariableName(_ name: Substring) -> Bool {
    guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
    return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
  }
}
