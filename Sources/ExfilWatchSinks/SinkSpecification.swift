/// Where findings go, as the user writes it after `--sink`: `stdout` or `jsonl:PATH`.
///
/// Parsing is separate from opening, so the CLI can reject a mistyped `--sink` before it reads
/// any input, and open the sinks only once the run starts.
public enum SinkSpecification: Equatable, Sendable, CustomStringConvertible {
  /// One human-readable line per finding on standard output.
  case standardOutput
  /// OCSF Detection Finding JSON lines appended to the file at the path.
  case jsonLines(path: String)

  /// The forms `init(parsing:)` accepts, for help and error texts.
  public static let acceptedForms = ["stdout", "jsonl:PATH"]

  public init(parsing text: String) throws(SinkSpecificationError) {
    if text == "stdout" {
      self = .standardOutput
      return
    }
    let prefix = "jsonl:"
    if text.hasPrefix(prefix) {
      let path = String(text.dropFirst(prefix.count))
      guard !path.isEmpty else {
        throw SinkSpecificationError(text: text, problem: "jsonl needs a file path after the colon")
      }
      self = .jsonLines(path: path)
      return
    }
    throw SinkSpecificationError(text: text, problem: "unknown sink")
  }

  /// Opens the sink. `productVersion` goes into every OCSF event's `metadata.product.version`.
  public func makeSink(productVersion: String) throws(SinkError) -> any FindingSink {
    switch self {
    case .standardOutput: StandardOutputSink()
    case .jsonLines(let path): try JSONLinesSink(path: path, productVersion: productVersion)
    }
  }

  /// The specification as the user would write it.
  public var description: String {
    switch self {
    case .standardOutput: "stdout"
    case .jsonLines(let path): "jsonl:\(path)"
    }
  }
}

/// A `--sink` value that is not one of `SinkSpecification.acceptedForms`.
public struct SinkSpecificationError: Error, Equatable, CustomStringConvertible {
  /// The value as given.
  public var text: String
  /// What is wrong with it.
  public var problem: String

  public init(text: String, problem: String) {
    self.text = text
    self.problem = problem
  }

  public var description: String {
    "invalid sink '\(text)': \(problem); expected one of: "
      + SinkSpecification.acceptedForms.joined(separator: ", ")
  }
}
