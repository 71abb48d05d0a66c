import ExfilWatchDetector
import Glibc

/// Findings as OCSF Detection Finding JSON lines appended to a file: the format SIEM shippers
/// (Splunk UF, Fluent Bit, Vector, the Security Lake collectors) tail as they tail any log.
///
/// The file is only ever appended to (`O_APPEND`), so restarts, several runs and several
/// writers add to it without overwriting. A batch is held in memory until `flush()`, which
/// writes it and `fsync`s the file: only then are its findings on disk and may the run record
/// them as delivered. A flush that fails part way (a full disk takes the first bytes of a line
/// and refuses the rest) cuts the torn line off the file again, so a shipper never reads half
/// a finding, and keeps everything from that line on for a retry, which neither repeats nor
/// tears a line.
public struct JSONLinesSink: FindingSink {
  public let path: String
  private let file: AppendedFile
  private let encoder: OCSFDetectionFindingEncoder
  private var pending: [UInt8] = []

  /// Opens (creating, mode 0644) `path` for appending; fails now, not at the first finding,
  /// when it cannot be written.
  public init(path: String, productVersion: String) throws(SinkError) {
    self.path = path
    file = try AppendedFile(path: path)
    encoder = OCSFDetectionFindingEncoder(productVersion: productVersion)
  }

  public mutating func write(_ finding: Finding) {
    pending.append(contentsOf: encoder.encode(finding))
    pending.append(UInt8(ascii: "\n"))
  }

  public mutating func flush() throws(SinkError) {
    let sizeBefore = file.size()
    let (written, failure) = writeFully(pending, to: file.descriptor)
    if let failure {
      let whole = pending[..<written].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
      // Only when the file ends with exactly what this flush wrote (no other writer appended
      // meanwhile; a device such as /dev/full has no size to cut back to).
      let cut = whole < written && sizeBefore.map { before in
        file.size() == before + written && ftruncate(file.descriptor, off_t(before + whole)) == 0
      } == true
      pending.removeFirst(cut ? whole : written)
      throw error(.write, failure)
    }
    pending.removeFirst(written)
    // EINVAL: a pipe or character device (`jsonl:/dev/stdout` into a shipper), which has
    // nothing to sync; what was written has been handed on.
    guard fsync(file.descriptor) == 0 || errno == EINVAL else { throw error(.sync, errno) }
  }

  private func error(_ operation: SinkError.Operation, _ number: Int32) -> SinkError {
    SinkError(sink: "jsonl", destination: path, operation: operation, errno: number)
  }
}

/// The open file behind a `JSONLinesSink`, closed when the last copy of the sink goes away.
private final class AppendedFile {
  let descriptor: Int32

  init(path: String) throws(SinkError) {
    descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw SinkError(sink: "jsonl", destination: path, operation: .open, errno: errno)
    }
  }

  /// The file's length, for a regular file.
  func size() -> Int? {
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
    return Int(status.st_size)
  }

  deinit {
    close(descriptor)
  }
}
