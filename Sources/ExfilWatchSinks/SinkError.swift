import Glibc

/// A sink could not deliver its findings, with the operating system's reason (or the database's).
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

  /// The sink's kind as `--sink` names it: `jsonl`, `stdout`, `sqlite`.
  public var sink: String
  /// The file's path, or `standard output`.
  public var destination: String
  public var operation: Operation
  /// The operating system's error number; 0 when the reason is in `detail` instead.
  public var errno: Int32
  /// The reason when it is not an error number: SQLite's message ("database or disk is full"),
  /// or why a file was refused.
  public var detail: String?

  public init(
    sink: String, destination: String, operation: Operation, errno: Int32, detail: String? = nil
  ) {
    self.sink = sink
    self.destination = destination
    self.operation = operation
    self.errno = errno
    self.detail = detail
  }

  public var description: String {
    let reason = detail ?? String(cString: strerror(errno))
    return "\(sink) sink: cannot \(operation.rawValue) '\(destination)': \(reason)"
  }
}
