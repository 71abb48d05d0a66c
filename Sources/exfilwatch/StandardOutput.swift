import Glibc

/// Standard output through one large buffer and plain `write(2)` calls: printing decoded lines
/// must not cost more than decoding them, which `print` per line would.
final class StandardOutput {
  private var buffer: [UInt8] = []
  private let capacity: Int

  init(capacity: Int = 1 << 20) {
    self.capacity = capacity
    buffer.reserveCapacity(capacity)
  }

  deinit {
    flush()
  }

  func write(_ bytes: UnsafeRawBufferPointer) {
    if buffer.count + bytes.count > capacity { flush() }
    if bytes.count >= capacity {
      writeAll(bytes)
    } else {
      buffer.append(contentsOf: bytes)
    }
  }

  func write(_ text: String) {
    var text = text
    text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
  }

  func writeLine(_ bytes: UnsafeRawBufferPointer) {
    if buffer.count + bytes.count + 1 > capacity { flush() }
    write(bytes)
    buffer.append(0x0A)
  }

  func flush() {
    buffer.withUnsafeBytes { writeAll($0) }
    buffer.removeAll(keepingCapacity: true)
  }

  private func writeAll(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    var written = 0
    while written < bytes.count {
      let result = Glibc.write(STDOUT_FILENO, base + written, bytes.count - written)
      if result < 0 {
        if errno == EINTR { continue }
        // The reader went away (`exfilwatch lines f | head`): stop quietly, as ripgrep does.
        if errno == EPIPE { exit(ExitStatus.success.rawValue) }
        Log.error("cannot write to standard output: \(String(cString: strerror(errno)))")
        exit(ExitStatus.outputError.rawValue)
      }
      written += result
    }
  }
}
