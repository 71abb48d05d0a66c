import GRDB
import SystemPackage

/// Why the state file could not be opened, read or committed.
///
/// Every case names the file, and every description ends with what the operator should do, so
/// the CLI can print it as is. No case ever means "half written": a commit either happened
/// entirely or not at all.
public enum StateStoreError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What the store was doing when it failed.
  public enum Operation: String, Sendable {
    case open
    case load
    case commit
    case reset
  }

  /// The file is not an SQLite database, or its pages are damaged (random bytes, a truncated
  /// copy, a disk error that was not noticed at the time).
  case corrupt(path: String, detail: String)
  /// The file is a healthy SQLite database of some other program; it is left untouched.
  case notStateFile(path: String)
  /// A newer exfilwatch wrote the file with a schema this version does not know; it is left
  /// untouched so that the newer version can still use it.
  case newerSchema(path: String, writerVersion: String, schemaVersion: Int, supportedVersion: Int)
  /// The file (or its directory) cannot be opened for reading and writing.
  case unreadable(path: String, detail: String)
  /// Another program holds SQLite's own lock on the file for longer than the busy timeout.
  case busy(path: String, detail: String)
  /// The operating system failed a read or a write (disk full, I/O error).
  case ioFailure(path: String, operation: Operation, detail: String)
  /// The database refused the update (two sources with one path): a bug in the caller.
  case rejectedUpdate(path: String, detail: String)

  /// The state file the error is about.
  public var path: String {
    switch self {
    case .corrupt(let path, _), .notStateFile(let path), .newerSchema(let path, _, _, _),
      .unreadable(let path, _), .busy(let path, _), .ioFailure(let path, _, _),
      .rejectedUpdate(let path, _):
      path
    }
  }

  public var description: String {
    switch self {
    case .corrupt(let path, let detail):
      "state file \(path) is damaged or not a state database (\(detail)); move it aside to keep it "
        + "for inspection, or rerun with --reset-state to start over (findings already delivered "
        + "may then be delivered again)"
    case .notStateFile(let path):
      "\(path) is an SQLite database of another program, not an ExfilWatch state file; it was "
        + "left untouched: choose another state file path, or rerun with --reset-state to "
        + "replace it"
    case .newerSchema(let path, let writerVersion, let schemaVersion, let supportedVersion):
      "state file \(path) was written by ExfilWatch \(writerVersion) (state schema "
        + "\(schemaVersion)); this version reads up to schema \(supportedVersion); upgrade "
        + "exfilwatch, or use --reset-state to start over"
    case .unreadable(let path, let detail):
      "cannot open state file \(path) for reading and writing: \(detail); check that its "
        + "directory exists and that exfilwatch runs as the user owning the file (created with "
        + "mode 0600), or choose another state file path"
    case .busy(let path, let detail):
      "state file \(path) is locked by another program (\(detail)); close whatever holds it open "
        + "(an sqlite3 shell, a backup tool) and rerun"
    case .ioFailure(let path, .commit, let detail):
      "could not commit state file \(path): \(detail); this run's progress was not saved: the "
        + "next run resumes from the previous commit and may deliver the same findings again "
        + "(under the same ids); check free space and the disk, then rerun"
    case .ioFailure(let path, let operation, let detail):
      "I/O failure during \(operation.rawValue) of state file \(path): \(detail); nothing was "
        + "changed; check free space and the disk, then rerun"
    case .rejectedUpdate(let path, let detail):
      "state update for \(path) was rejected (\(detail)); nothing was committed and the previous "
        + "state is intact; this is a bug in exfilwatch: please report it"
    }
  }
}

extension StateStoreError {
  /// Classifies an error from SQLite (through GRDB) or from a system call.
  init(_ error: any Error, path: String, operation: Operation) {
    if let error = error as? StateStoreError {
      self = error
      return
    }
    if let errno = error as? Errno {
      self = .unreadable(path: path, detail: errno.description)
      return
    }
    guard let error = error as? DatabaseError else {
      self = .ioFailure(path: path, operation: operation, detail: String(describing: error))
      return
    }
    let detail = error.message ?? error.extendedResultCode.description
    switch error.resultCode {
    case .SQLITE_NOTADB, .SQLITE_CORRUPT:
      self = .corrupt(path: path, detail: detail)
    case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
      self = .unreadable(path: path, detail: detail)
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      self = .busy(path: path, detail: detail)
    case .SQLITE_CONSTRAINT where operation == .commit:
      self = .rejectedUpdate(path: path, detail: detail)
    default:
      self = .ioFailure(path: path, operation: operation, detail: detail)
    }
  }
}
