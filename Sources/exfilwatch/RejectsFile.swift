import ArgumentParser
import ExfilWatchEvent
import ExfilWatchParser
import Glibc

/// `--rejects PATH`: every rejected record as a JSON line, so nothing a run could not read is
/// lost: `{"input":…,"line":…,"offset":…,"reason":…,"record":…}`. A record that is not valid
/// UTF-8 is written as `"recordBase64"` instead. The file is made 0600 (also when it existed):
/// records are customer data. Each line is written at once (rejects are few), so the file is
/// complete however the run ends, and a failed write stops the run rather than losing records.
final class RejectsFile {
  private let path: String
  private let descriptor: Int32
  private var buffer: [UInt8] = []

  init(path: String) throws {
    self.path = path
    descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0, fchmod(descriptor, 0o600) == 0 else {
      throw ValidationError("cannot create --rejects file '\(path)': \(String(cString: strerror(errno)))")
    }
  }

  deinit {
    close(descriptor)
  }

  func write(_ reject: RejectedRecord, input: String) throws {
    buffer.append(UInt8(ascii: "{"))
    JSONText.appendKey("input", to: &buffer, first: true)
    JSONText.appendString(input, to: &buffer)
    JSONText.appendKey("line", to: &buffer)
    JSONText.appendInteger(reject.line, to: &buffer)
    JSONText.appendKey("offset", to: &buffer)
    JSONText.appendInteger(reject.offset, to: &buffer)
    JSONText.appendKey("reason", to: &buffer)
    JSONText.appendString(reject.reason.rawValue, to: &buffer)
    JSONText.appendKey("length", to: &buffer)
    JSONText.appendInteger(reject.length, to: &buffer)
    if reject.reason == .invalidUTF8 {
      JSONText.appendKey("recordBase64", to: &buffer)
      JSONText.appendString(base64(reject.bytes), to: &buffer)
    } else {
      JSONText.appendKey("record", to: &buffer)
      JSONText.appendString(reject.bytes, to: &buffer)
    }
    buffer.append(contentsOf: "}\n".utf8)
    defer { buffer.removeAll(keepingCapacity: true) }
    var written = 0
    while written < buffer.count {
      let result = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
      if result < 0 && errno == EINTR { continue }
      guard result > 0 else { throw RejectsFileError(path: path, errno: errno) }
      written += result
    }
  }

  private func base64(_ bytes: UnsafeRawBufferPointer) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var output: [UInt8] = []
    var index = 0
    while index < bytes.count {
      let chunk = (0..<3).map { index + $0 < bytes.count ? UInt32(bytes[index + $0]) : 0 }
      let value = chunk[0] << 16 | chunk[1] << 8 | chunk[2]
      let available = min(3, bytes.count - index)
      for position in 0..<4 {
        output.append(position <= available
          ? alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)] : UInt8(ascii: "="))
      }
      index += 3
    }
    return String(decoding: output, as: UTF8.self)
  }
}

/// The rejects file could not be written (a full disk): the run stops, since records would be
/// lost.
struct RejectsFileError: Error, CustomStringConvertible {
  var path: String
  var errno: Int32

  var description: String {
    "cannot write to --rejects file '\(path)': \(String(cString: strerror(errno)))"
  }
}
