import Glibc
import SystemPackage

/// Who holds the `flock` on a lock file, and what a holder writes into it.
enum LockHolder {
  /// The text a holder writes into its lock file, so an operator running `cat state.db.lock`
  /// sees who holds it and since when (UTC).
  static func record(pid: Int32, startedAt seconds: time_t) -> String {
    "pid=\(pid)\nstarted_at=\(iso8601(seconds))\n"
  }

  /// The pid of the process holding an exclusive `flock` on the file open as `descriptor`.
  ///
  /// The kernel's answer (`/proc/locks`) comes first: it is right for holders that are not
  /// exfilwatch and in the instant between a holder's `flock` and its writing its pid (when the
  /// file still names the previous holder). The pid written in the file is the fallback, for
  /// systems without `/proc` or file systems whose device numbers `/proc/locks` reports
  /// differently from `stat` (overlayfs, btrfs).
  static func pid(of descriptor: FileDescriptor) -> Int32? {
    if let status = try? descriptor.stat(),
      let pid = kernelHolder(
        device: UInt64(status.deviceID.rawValue), inode: UInt64(status.inode.rawValue))
    {
      return pid
    }
    return recordedPID(descriptor)
  }

  /// Finds the FLOCK line of `/proc/locks` for (device, inode). A line looks like
  /// `2: FLOCK  ADVISORY  WRITE 27674 fe:00:16220816 0 EOF` (device as hex major:minor);
  /// lines with `->` are processes waiting for the lock, not holding it. Some file systems
  /// (overlayfs) show another device there than `stat` does, so a single line with the same
  /// inode is accepted when no line matches both.
  static func kernelHolder(device: UInt64, inode: UInt64) -> Int32? {
    guard let text = readSmallFile("/proc/locks", limit: 1 << 20) else { return nil }
    let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
    let minor = (device & 0xff) | ((device >> 12) & ~0xff)
    var sameInode: [Int32] = []
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE",
        let pid = Int32(fields[4]), pid > 0
      else { continue }
      let id = fields[5].split(separator: ":")
      guard id.count == 3, UInt64(id[2]) == inode else { continue }
      if UInt64(id[0], radix: 16) == major && UInt64(id[1], radix: 16) == minor { return pid }
      sameInode.append(pid)
    }
    return sameInode.count == 1 ? sameInode[0] : nil
  }

  /// The `pid=` line a holder wrote into the lock file.
  static func recordedPID(_ descriptor: FileDescriptor) -> Int32? {
    var buffer = [UInt8](repeating: 0, count: 256)
    guard
      let count = try? buffer.withUnsafeMutableBytes({
        try descriptor.read(fromAbsoluteOffset: 0, into: $0)
      })
    else { return nil }
    let text = String(decoding: buffer[..<count], as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix("pid=") {
      return Int32(line.dropFirst(4)).flatMap { $0 > 0 ? $0 : nil }
    }
    return nil
  }

  private static func readSmallFile(_ path: String, limit: Int) -> String? {
    guard let descriptor = try? FileDescriptor.open(path, .readOnly, options: [.closeOnExec])
    else { return nil }
    defer { try? descriptor.close() }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16384)
    while bytes.count < limit {
      // /proc files report size 0: read until end of file.
      guard let count = try? chunk.withUnsafeMutableBytes({ try descriptor.read(into: $0) }),
        count > 0
      else { break }
      bytes += chunk[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func iso8601(_ seconds: time_t) -> String {
    var time = seconds
    var parts = tm()
    guard gmtime_r(&time, &parts) != nil else { return String(seconds) }
    var buffer = [CChar](repeating: 0, count: 32)
    let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
    return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
