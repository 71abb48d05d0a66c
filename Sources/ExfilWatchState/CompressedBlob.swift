import CZstd
import Foundation

/// The detector's blobs as the state file keeps them (schema 3): each one zstd frame (level 3,
/// with its checksum).
///
/// The detector's state is JSON text, about 7 KB per busy key: 700 MB at 100,000 actors, which
/// SQLite wrote twice per commit (the write-ahead log, then the database) in some 11 s.
/// Compressed it is 16 times smaller and takes 0.7 s to compress, 0.3 s to decompress.
enum CompressedBlob {
  static let level: Int32 = 3

  /// `bytes` as one zstd frame.
  static func compressed(_ bytes: [UInt8]) throws -> Data {
    try compressed { write in try bytes.withUnsafeBytes(write) }
  }

  /// The bytes `produce` hands to the function it is given, piece by piece, as one zstd frame:
  /// the pieces are compressed as they come, and only the frame is held.
  static func compressed(
    producing produce: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
  ) throws -> Data {
    guard let context = ZSTD_createCCtx() else { throw BlobError("out of memory for the zstd context") }
    defer { ZSTD_freeCCtx(context) }
    for (parameter, value) in [(ZSTD_c_compressionLevel, level), (ZSTD_c_checksumFlag, 1)] {
      let result = ZSTD_CCtx_setParameter(context, parameter, value)
      if ZSTD_isError(result) != 0 { throw BlobError(zstd: result) }
    }
    var frame = Data()
    let chunk = ZSTD_CStreamOutSize()
    var output = [UInt8](repeating: 0, count: chunk)
    /// Feeds `input` (nil: ends the frame), appending what comes out, until it is all taken.
    func step(_ input: UnsafeRawBufferPointer?) throws {
      var source = ZSTD_inBuffer(src: input?.baseAddress, size: input?.count ?? 0, pos: 0)
      var left = 0
      repeat {
        let written = try output.withUnsafeMutableBytes { bytes in
          var destination = ZSTD_outBuffer(dst: bytes.baseAddress, size: chunk, pos: 0)
          left = ZSTD_compressStream2(context, &destination, &source, input == nil ? ZSTD_e_end : ZSTD_e_continue)
          if ZSTD_isError(left) != 0 { throw BlobError(zstd: left) }
          return destination.pos
        }
        frame.append(contentsOf: output[..<written])
      } while source.pos < source.size || (input == nil && left != 0)
    }
    try produce { try step($0) }
    try step(nil)
    return frame
  }

  /// The bytes `frame` holds: it must be exactly one whole zstd frame.
  ///
  /// The size the frame's header gives is a hint for the output's room, not trusted: a damaged
  /// header could claim terabytes.
  static func decompressed(_ frame: Data) throws -> [UInt8] {
    guard let stream = ZSTD_createDStream() else { throw BlobError("out of memory for the zstd context") }
    defer { ZSTD_freeDStream(stream) }
    let claimed = frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
    let hint = claimed < UInt64(Int.max) ? Int(claimed) : 0
    let chunk = ZSTD_DStreamOutSize()
    var output = [UInt8]()
    // Room for a chunk more than the content: each step appends a whole chunk before it knows
    // how much of it comes out.
    output.reserveCapacity(min(hint, 64 * frame.count + (1 << 20)) + chunk)
    try frame.withUnsafeBytes { input in
      var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
      while true {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: chunk))
        let (result, written) = output.withUnsafeMutableBytes { bytes in
          var destination = ZSTD_outBuffer(dst: bytes.baseAddress! + start, size: chunk, pos: 0)
          return (ZSTD_decompressStream(stream, &destination, &source), destination.pos)
        }
        output.removeLast(chunk - written)
        if ZSTD_isError(result) != 0 { throw BlobError(zstd: result, at: source.pos) }
        if result == 0 { break }  // the frame's end, its checksum checked
        if source.pos == source.size && written < chunk {
          throw BlobError("cut short: the zstd frame is unfinished after its \(input.count) bytes")
        }
      }
      guard source.pos == source.size else {
        throw BlobError("\(source.size - source.pos) bytes after the zstd frame's end (at byte \(source.pos))")
      }
    }
    return output
  }
}

/// Why a blob could not be compressed or decompressed.
struct BlobError: Error, CustomStringConvertible {
  var description: String

  init(_ description: String) {
    self.description = description
  }

  init(zstd code: Int, at offset: Int? = nil) {
    description = "zstd: " + String(cString: ZSTD_getErrorName(code)) + (offset.map { " (at byte \($0))" } ?? "")
  }
}
