import Glibc

/// A sink could not deliver its findings, with the operating system's reason.
///
/// It names the sink and where it writes, so an operator can tell a full disk under the
/// findings file from a closed pipe on standard output. Until a flush succeeds the run must not
/// record the batch as delivered.
public struct SinkError: Error, Equatable, CustomStringConvertible {
  /// What the sink was doing.
  public enum Operation: String, Sendable {
    case open
    case write
    case sync = "fsync"
  }

  /// The sink's kind as `--sink` names it: `jsonl`, `stdout`.
  public var sink: String
  /// The file's path, or `standard output`.
  public var destination: String
  public var operation: Operation
  public var errno: Int32

  public init(sink: String, destination: String, operation: Operation, errno: Int32) {
    self.sink = sink
    self.destination = destination
    self.operation = operation
    self.errno = errno
  }

  public var description: String {
    "\(sink) sink: cannot \(operation.rawValue) '\(destination)': \(String(cString: strerror(errno)))"
  }
}
