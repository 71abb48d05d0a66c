import Glibc
import Synchronization
import SystemPackage

/// Keeps two runs from using one state file at the same time (two cron jobs that overlap, a
/// `scan` started while another is still running).
///
/// ```swift
/// let lock = try StateLock(statePath: "/var/lib/exfilwatch/state.db")  // or .held(pid:)
/// defer { lock.release() }
/// ```
///
/// The lock is `flock(LOCK_EX | LOCK_NB)` on `<statePath>.lock` (mode 0600), never on the
/// database itself, so SQLite's own locking is left alone. The kernel releases an `flock` when
/// its holder dies, however it dies: the lock of a run killed with `kill -9` (or lost with its
/// machine) is simply taken by the next run; there is no stale-lock detection, no pid probing
/// and nothing to delete by hand. The holder writes its pid and start time into the file for
/// people and for the `.held` error; the kernel's lock, not that text, decides who holds it.
///
/// `flock` locks belong to an open file description, so a second `StateLock` in the same process
/// conflicts too. The descriptor is close-on-exec, so a child process (a sink's helper) never
/// inherits the lock and cannot keep it after the run ends. The lock file is never deleted:
/// deleting it would let a waiting process lock the old inode while another creates a new file.
public final class StateLock: Sendable {
  /// The state file this lock protects.
  public let statePath: String
  /// `<statePath>.lock`.
  public let lockPath: String
  private let descriptor: Mutex<FileDescriptor?>

  /// Takes the lock, or fails at once if another process (or another `StateLock`) holds it.
  ///
  /// - Throws: ``StateLockError/held(path:pid:)`` naming the holder's pid, or
  ///   ``StateLockError/unusable(path:operation:errno:)`` if the lock file cannot be used.
  public init(statePath: String) throws(StateLockError) {
    self.statePath = statePath
    lockPath = statePath + ".lock"
    let file: FileDescriptor
    do throws(Errno) {
      file = try PrivateFile.open(lockPath).descriptor
    } catch {
      throw .unusable(path: lockPath, operation: "open", errno: error)
    }
    var result: Int32
    repeat {
      result = flock(file.rawValue, LOCK_EX | LOCK_NB)
    } while result != 0 && errno == EINTR
    guard result == 0 else {
      let failure = Errno(rawValue: errno)
      let holder = failure.rawValue == EWOULDBLOCK ? LockHolder.pid(of: file) : nil
      try? file.close()
      if failure.rawValue == EWOULDBLOCK { throw .held(path: statePath, pid: holder) }
      throw .unusable(path: lockPath, operation: "lock", errno: failure)
    }
    // Informational only (the kernel's lock is the truth), so a failed write is ignored.
    let record = LockHolder.record(pid: getpid(), startedAt: time(nil))
    _ = try? file.resize(to: 0)
    _ = try? file.writeAll(toAbsoluteOffset: 0, record.utf8)
    descriptor = Mutex(file)
  }

  /// Releases the lock (once; later calls do nothing). Also done on deinit.
  public func release() {
    descriptor.withLock { held in
      guard let file = held else { return }
      held = nil
      // Clear the pid first, so the file never names a process that no longer holds it.
      _ = try? file.resize(to: 0)
      _ = flock(file.rawValue, LOCK_UN)
      try? file.close()
    }
  }

  deinit {
    release()
  }
}
