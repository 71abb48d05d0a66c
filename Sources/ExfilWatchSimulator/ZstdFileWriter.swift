import CZstd
import Glibc

/// Writes zstd files through libzstd's streaming API (`ZSTD_compressStream2`), one file after
/// another with one compression context, with plain `open`/`write`.
///
/// Text goes in as it is generated (`ZSTD_e_continue`) and the frame is finished at close
/// (`ZSTD_e_end`), so memory is the context (level 3: about 1.3 MiB plus the 2 MiB window)
/// and one output buffer, whatever the file's size. Frames carry a content checksum, so
/// `zstd -t` verifies every byte. The same text gives the same bytes for the same libzstd.
final class ZstdFileWriter {
  private let context: OpaquePointer
  private let output: UnsafeMutableRawBufferPointer
  private var descriptor: Int32 = -1
  private(set) var path = ""
  /// Totals over every file written.
  private(set) var decompressedBytes: Int64 = 0
  private(set) var compressedBytes: Int64 = 0

  static let level: Int32 = 3

  init() {
    guard let context = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx failed: out of memory") }
    self.context = context
    output = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
  }

  deinit {
    if descriptor >= 0 { Glibc.close(descriptor) }
    ZSTD_freeCCtx(context)
    output.deallocate()
  }

  /// Creates (or truncates) `path` and starts a frame in it.
  func open(_ path: String) throws(SimulationError) {
    precondition(descriptor < 0, "the previous file was not closed")
    self.path = path
    descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .cannotCreate(path: path, errno: errno) }
    ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters)
    try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Self.level))
    try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1))
  }

  /// Compresses `bytes` into the open file.
  func write(_ bytes: UnsafeRawBufferPointer) throws(SimulationError) {
    decompressedBytes += Int64(bytes.count)
    var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
    while input.pos < input.size {
      var out = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
      try check(ZSTD_compressStream2(context, &out, &input, ZSTD_e_continue))
      try writeOut(out.pos)
    }
  }

  /// Ends the frame, writes what libzstd still holds, and closes the file.
  func close() throws(SimulationError) {
    var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    var remaining = 0
    repeat {
      var out = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
      remaining = try check(ZSTD_compressStream2(context, &out, &input, ZSTD_e_end))
      try writeOut(out.pos)
    } while remaining > 0
    let result = Glibc.close(descriptor)
    descriptor = -1
    if result != 0 { throw .cannotWrite(path: path, errno: errno) }
  }

  private func writeOut(_ count: Int) throws(SimulationError) {
    var written = 0
    while written < count {
      let result = Glibc.write(descriptor, output.baseAddress! + written, count - written)
      if result < 0 && errno == EINTR { continue }
      guard result > 0 else { throw .cannotWrite(path: path, errno: result < 0 ? errno : ENOSPC) }
      written += result
    }
    compressedBytes += Int64(count)
  }

  @discardableResult
  private func check(_ result: Int) throws(SimulationError) -> Int {
    if ZSTD_isError(result) != 0 {
      throw .compression(path: path, message: String(cString: ZSTD_getErrorName(result)))
    }
    return result
  }
}
