import ExfilWatchDetector
import Glibc

/// Findings as one human-readable line each (`FindingSummaryLine`), for a person watching
/// `exfilwatch tail` or reading a cron mail; machines read the JSON lines sink instead.
///
/// Lines are held until `flush()` and then written at once, so a batch's lines stay together
/// even when other output shares the terminal. The descriptor is borrowed, never closed.
public struct StandardOutputSink: FindingSink {
  public let descriptor: Int32
  private var pending: [UInt8] = []

  /// Writes to `descriptor`, standard output unless a test or the CLI passes another.
  public init(descriptor: Int32 = STDOUT_FILENO) {
    self.descriptor = descriptor
  }

  public mutating func write(_ finding: Finding) {
    pending.append(contentsOf: FindingSummaryLine(finding).description.utf8)
    pending.append(UInt8(ascii: "\n"))
  }

  public mutating func flush() throws(SinkError) {
    let (written, failure) = writeFully(pending, to: descriptor)
    pending.removeFirst(written)
    if let failure {
      let destination = descriptor == STDOUT_FILENO ? "standard output" : "file descriptor \(descriptor)"
      throw SinkError(sink: "stdout", destination: destination, operation: .write, errno: failure)
    }
  }
}
