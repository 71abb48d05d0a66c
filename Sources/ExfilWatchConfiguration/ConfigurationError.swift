/// Everything wrong with a config file, each problem with its place, so one run of
/// `exfilwatch` (or `config check`) shows them all instead of one per attempt.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
  public var problems: [ConfigurationProblem]

  public init(problems: [ConfigurationProblem]) {
    self.problems = problems
  }

  public var description: String {
    problems.map(\.description).joined(separator: "\n")
  }
}

/// One problem in a config file: where (file, line, column, key path) and what.
///
/// Messages never quote a value that may be a secret (a webhook secret, a header), only its
/// key path.
public struct ConfigurationProblem: Equatable, Sendable, CustomStringConvertible {
  public var file: String
  /// 1-based; 0 when the problem has no place in the text (an unreadable file).
  public var line: Int
  public var column: Int
  /// `sinks[2].timeout`, or empty for the whole document.
  public var keyPath: String
  public var message: String

  public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.keyPath = keyPath
    self.message = message
  }

  public var description: String {
    let place = line > 0 ? "\(file):\(line):\(column)" : file
    return keyPath.isEmpty ? "\(place): \(message)" : "\(place): \(keyPath): \(message)"
  }
}
