import Glibc
import SystemPackage

/// A file as the kernel knows it: device and inode, which stay with the file through renames
/// (log rotation by `mv`), its size, and whether it is a regular file (one that can be read
/// again, unlike a pipe).
///
/// Device and inode alone do not prove it is the same file: an inode is reused once a file is
/// deleted. Callers pair it with a fingerprint of the file's first decoded bytes.
public struct FileIdentity: Sendable, Hashable {
  /// Device and inode: what names one file however it is renamed.
  public struct Location: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
      self.device = device
      self.inode = inode
    }
  }

  public var location: Location
  /// Size in bytes as stored (compressed or not).
  public var size: Int64
  public var isRegularFile: Bool

  public var device: UInt64 { location.device }
  public var inode: UInt64 { location.inode }

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
    location = Location(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    size = Int64(status.st_size)
    isRegularFile = status.st_mode & S_IFMT == S_IFREG
  }

  /// Whether both name the same inode on the same device.
  public func isSameFile(as other: FileIdentity) -> Bool {
    location == other.location
  }
}
