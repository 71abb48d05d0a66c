import Glibc
import SystemPackage

/// A file as the kernel knows it: device and inode, which stay with the file through renames
/// (log rotation by `mv`), and its size and modification time, which tell whether it changed.
///
/// Device and inode alone do not prove it is the same file: an inode is reused once a file is
/// deleted. Callers pair it with a fingerprint of the file's first decoded bytes.
public struct FileIdentity: Sendable, Hashable, Codable {
  public var device: UInt64
  public var inode: UInt64
  /// Size in bytes as stored (compressed or not).
  public var size: Int64
  /// Last modification, nanoseconds since the epoch.
  public var modified: Int64

  public init(device: UInt64, inode: UInt64, size: Int64, modified: Int64) {
    self.device = device
    self.inode = inode
    self.size = size
    self.modified = modified
  }

  /// The identity of an open file.
  public init(descriptor: FileDescriptor) throws(Errno) {
    var status = stat()
    guard fstat(descriptor.rawValue, &status) == 0 else { throw Errno(rawValue: errno) }
    self.init(status: status)
  }

  /// The identity of the file a path names now, following symbolic links.
  public init(path: String) throws(Errno) {
    var status = stat()
    guard stat(path, &status) == 0 else { throw Errno(rawValue: errno) }
    self.init(status: status)
  }

  private init(status: stat) {
    device = UInt64(status.st_dev)
    inode = UInt64(status.st_ino)
    size = Int64(status.st_size)
    modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
  }

  /// Whether both name the same inode on the same device.
  public func isSameFile(as other: FileIdentity) -> Bool {
    device == other.device && inode == other.inode
  }
}
