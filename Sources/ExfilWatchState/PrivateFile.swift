import Glibc
import SystemPackage

/// Creates and opens the files that describe what a user's logs contain (the state database, its
/// lock) so that only their owner can read them, whatever the process's umask.
///
/// A umask can only remove permission bits, so `open(O_CREAT, 0600)` alone is not enough: a
/// umask of 0200 would leave a file its owner cannot write. The file is therefore created with
/// `O_EXCL` (so we know this call created it) and then `fchmod`ed to exactly 0600. An existing
/// file keeps the mode its owner chose.
enum PrivateFile {
  /// Opens `path` for reading and writing, creating it with mode 0600 if it does not exist.
  ///
  /// A new file's directory entry is flushed (`fsync` of the parent directory), so that a power
  /// loss right after the first commit cannot lose the whole file.
  ///
  /// - Returns: The open descriptor (close-on-exec, so child processes never inherit it) and
  ///   whether this call created the file.
  static func open(_ path: String) throws(Errno) -> (descriptor: FileDescriptor, created: Bool) {
    let filePath = FilePath(path)
    do {
      let descriptor = try FileDescriptor.open(
        filePath, .readWrite, options: [.create, .exclusiveCreate, .closeOnExec],
        permissions: .ownerReadWrite)
      guard fchmod(descriptor.rawValue, 0o600) == 0 else {
        let failure = Errno(rawValue: errno)
        try? descriptor.close()
        throw failure
      }
      syncParentDirectory(of: filePath)
      return (descriptor, true)
    } catch Errno.fileExists {
      do {
        return (try FileDescriptor.open(filePath, .readWrite, options: [.closeOnExec]), false)
      } catch {
        throw asErrno(error)
      }
    } catch {
      throw asErrno(error)
    }
  }

  /// Removes `path`; a file that does not exist is not an error.
  static func remove(_ path: String) throws(Errno) {
    guard unlink(path) == 0 || errno == ENOENT else { throw Errno(rawValue: errno) }
  }

  /// swift-system's `FileDescriptor.open` throws untyped errors that are always `Errno`.
  private static func asErrno(_ error: any Error) -> Errno {
    error as? Errno ?? .ioError
  }

  /// Flushes the directory that holds `path`, making a creation or removal durable.
  ///
  /// Best effort: some file systems refuse `fsync` on a directory (EINVAL); losing a brand-new,
  /// still empty state file to a power cut only means the next run starts from scratch.
  static func syncParentDirectory(of path: FilePath) {
    var directory = path.removingLastComponent()
    if directory.isEmpty { directory = "." }
    guard
      let descriptor = try? FileDescriptor.open(
        directory, .readOnly, options: [.directory, .closeOnExec])
    else { return }
    _ = fsync(descriptor.rawValue)
    try? descriptor.close()
  }
}
