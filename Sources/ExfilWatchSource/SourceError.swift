import SystemPackage

/// An input that could not be opened or read, with the operating system's reason.
public struct SourceError: Error, Equatable, CustomStringConvertible {
  /// What was being done when the error happened.
  public enum Operation: String, Sendable {
    case open
    case read
    case seek
    case stat
    /// The file became shorter than what had been read of it: truncated while being read.
    case shrink
  }

  /// The source's name as given by the user (a path, or `<stdin>`).
  public var name: String
  public var operation: Operation
  public var errno: Errno
  /// For `.shrink`: the byte position reached and the file's size when it was found shorter.
  public var shrink: (position: Int64, size: Int64)?

  public init(name: String, operation: Operation, errno: Errno) {
    self.name = name
    self.operation = operation
    self.errno = errno
  }

  /// A file found shorter than what had been read of it.
  public static func shrank(_ name: String, position: Int64, size: Int64) -> SourceError {
    var error = SourceError(name: name, operation: .shrink, errno: .ioError)
    error.shrink = (position, size)
    return error
  }

  public var description: String {
    if let shrink {
      return "\(name): truncated to \(shrink.size) bytes while being read: anything past that is gone from this run"
    }
    return "\(name): cannot \(operation.rawValue): \(errno.description)"
  }

  public static func == (lhs: SourceError, rhs: SourceError) -> Bool {
    lhs.name == rhs.name && lhs.operation == rhs.operation && lhs.errno == rhs.errno
      && lhs.shrink?.position == rhs.shrink?.position && lhs.shrink?.size == rhs.shrink?.size
  }
}
