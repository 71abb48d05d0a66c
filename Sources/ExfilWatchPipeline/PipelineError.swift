import Glibc

/// Why the inputs named on a command line cannot be read as given.
///
/// Thrown before anything is read, so the command can refuse to start a replay that would
/// silently leave a month of archives out because of a typo in one path.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
  /// The path names nothing, or is a symbolic link whose target is gone.
  case missingInput(path: String)
  /// The path exists but cannot be examined or, for a directory, listed; `errno` says why.
  case unreadableInput(path: String, errno: Int32)

  public var description: String {
    switch self {
    case .missingInput(let path):
      return "\(path): no such file or directory"
    case .unreadableInput(let path, let errno):
      return "\(path): cannot read: \(String(cString: strerror(errno)))"
    }
  }
}
