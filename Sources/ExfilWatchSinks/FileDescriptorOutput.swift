import Glibc

/// Writes all of `bytes` to a descriptor, retrying short writes and interruptions. On failure
/// it returns how many bytes did get written and the error, so the caller can keep only the
/// unwritten rest and a retry neither repeats nor tears a line.
func writeFully(_ bytes: [UInt8], to descriptor: Int32) -> (written: Int, errno: Int32?) {
  var written = 0
  while written < bytes.count {
    let result = bytes.withUnsafeBytes {
      Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written)
    }
    if result < 0 {
      if errno == EINTR { continue }
      return (written, errno)
    }
    written += result
  }
  return (written, nil)
}
