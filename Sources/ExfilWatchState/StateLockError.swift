import SystemPackage

/// Why a ``StateLock`` could not be taken.
public enum StateLockError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Another process holds the lock on the state file. `pid` is the holder as the kernel reports
  /// it (or as the holder wrote it into the lock file); nil if neither could be read.
  case held(path: String, pid: Int32?)
  /// The lock file could not be created, opened or locked.
  case unusable(path: String, operation: String, errno: Errno)

  public var description: String {
    switch self {
    case .held(let path, let pid):
      "state file \(path) is in use by another exfilwatch run (pid "
        + "\(pid.map(String.init) ?? "unknown"), lock file \(path).lock); wait for it to finish "
        + "or stop it, then rerun (the lock of a killed run is released by the kernel, so no "
        + "file needs deleting)"
    case .unusable(let path, let operation, let errno):
      "cannot \(operation) lock file \(path): \(errno.description); check that the state file's "
        + "directory exists and is writable by the user running exfilwatch"
    }
  }
}
