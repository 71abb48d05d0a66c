import SystemPackage

/// An input that could not be opened or read, with the operating system's reason.
public struct SourceError: Error, Equatable, CustomStringConvertible {
  /// What was being done when the error happened.
  public enum Operation: String, Sendable {
    case open
    case read
    case seek
    case stat
  }

  /// The source's name as given by the user (a path, or `<stdin>`).
  public var name: String
  public var operation: Operation
  public var errno: Errno

  public init(name: String, operation: Operation, errno: Errno) {
    self.name = name
    self.operation = operation
    self.errno = errno
  }

  public var description: String {
    "\(name): cannot \(operation.rawValue): \(errno.description)"
  }
}
