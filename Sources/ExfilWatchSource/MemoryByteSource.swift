/// Bytes served from memory, at most `maxReadBytes` per read.
///
/// For embedding (decoding a payload already in memory) and for tests and fuzzing, where the
/// read size plays the part of a pipe delivering a few bytes at a time: every code path that
/// must cope with short reads can be driven with `maxReadBytes: 1`.
public final class MemoryByteSource: ByteSource {
  public let name: String
  private let bytes: [UInt8]
  private let maxReadBytes: Int
  private var position = 0

  public init(name: String = "<memory>", bytes: [UInt8], maxReadBytes: Int = .max) {
    precondition(maxReadBytes > 0, "maxReadBytes must be positive")
    self.name = name
    self.bytes = bytes
    self.maxReadBytes = maxReadBytes
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
    let count = min(buffer.count, maxReadBytes, bytes.count - position)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { all in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[position..<position + count]))
    }
    position += count
    return count
  }
}
