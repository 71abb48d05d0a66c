import CZstd

/// Streaming zstd decoding through libzstd's `ZSTD_decompressStream`.
///
/// One decompression context serves the whole input: libzstd moves from frame to frame by
/// itself, skips skippable frames, and handles frames without a content size. The window limit
/// is set with `ZSTD_d_windowLogMax`, so a frame that asks for more memory is refused before
/// anything is allocated for it.
///
/// A frame that declares its content size must decode to exactly that many bytes. libzstd
/// checks this itself only in some paths: a frame that ends with an empty last block is
/// accepted short when it arrives in pieces, and refused when it arrives whole with room for
/// its content, so the same damaged file would read differently as it is followed or replayed.
/// The decoder therefore checks every frame's size itself, from the header's first bytes.
///
/// Likewise for the magic number: libzstd reads the pre-1.0 formats (v0.5 to v0.7) when a
/// frame arrives whole, and refuses them when it arrives byte by byte. Those formats were
/// never a platform's export, so a frame must start with the magic number of RFC 8878 or of
/// a skippable frame, however it arrives.
final class ZstdFrameDecoder {
  /// The longest frame header (RFC 8878: 4-byte magic number, then at most 14 bytes).
  private static let maxFrameHeaderBytes = 18

  private let context: OpaquePointer
  /// True until the first byte of a frame has been consumed after the previous frame ended.
  private var atFrameBoundary = true
  /// The first bytes of the current frame, up to `maxFrameHeaderBytes`.
  private var frameStart: [UInt8] = []
  /// Bytes the current frame has decoded to so far.
  private var frameDecoded: UInt64 = 0

  /// - Parameter maxWindowLog: the base-2 logarithm of the largest window to accept.
  init(maxWindowLog: Int) {
    guard let context = ZSTD_createDCtx() else {
      fatalError("ZSTD_createDCtx failed: out of memory")
    }
    self.context = context
    let result = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Int32(maxWindowLog))
    precondition(ZSTD_isError(result) == 0, "ZSTD_d_windowLogMax \(maxWindowLog) rejected")
  }

  deinit {
    ZSTD_freeDCtx(context)
  }

  /// The range of window logs libzstd accepts for the limit on this platform.
  static var windowLogBounds: ClosedRange<Int> {
    let bounds = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax)
    return Int(bounds.lowerBound)...Int(bounds.upperBound)
  }

  func decode(
    _ input: UnsafeRawBufferPointer,
    into output: UnsafeMutableRawBufferPointer
  ) throws(CodecFailure) -> CodecStep {
    if frameStart.count < 4 { try checkMagicNumber(input) }
    var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
    var destination = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
    let result = ZSTD_decompressStream(context, &destination, &source)
    if ZSTD_isError(result) != 0 {
      let kind: CodecFailure.Kind =
        ZSTD_getErrorCode(result) == ZSTD_error_frameParameter_windowTooLarge
        ? .windowTooLarge : .corrupt(String(cString: ZSTD_getErrorName(result)))
      throw CodecFailure(kind: kind, consumed: source.pos)
    }
    // With no bytes moved, libzstd only returns a hint of what it wants next: the boundary
    // state is unchanged. Otherwise 0 means "frame complete and fully flushed".
    if source.pos > 0 || destination.pos > 0 {
      atFrameBoundary = result == 0
      let headerBytes = min(Self.maxFrameHeaderBytes - frameStart.count, source.pos)
      if headerBytes > 0 {
        frameStart.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[..<headerBytes]))
      }
      frameDecoded += UInt64(destination.pos)
      if atFrameBoundary { try endFrame(consumed: source.pos) }
    }
    return CodecStep(consumed: source.pos, produced: destination.pos, atUnitBoundary: atFrameBoundary)
  }

  /// Refuses a frame whose first bytes (those seen so far, and those of `input`) are not the
  /// beginning of a zstd or skippable frame's magic number.
  private func checkMagicNumber(_ input: UnsafeRawBufferPointer) throws(CodecFailure) {
    let start = frameStart + input.prefix(4 - frameStart.count)
    guard let first = start.first else { return }
    let rest = start.dropFirst()
    let isZstd = first == 0x28 && [0xB5, 0x2F, 0xFD].starts(with: rest)
    let isSkippable = first & 0xF0 == 0x50 && [0x2A, 0x4D, 0x18].starts(with: rest)
    guard isZstd || isSkippable else {
      throw CodecFailure(kind: .corrupt("unknown frame magic number (zstd formats before 1.0 are not read)"), consumed: 0)
    }
  }

  /// Checks the frame that just ended against the content size its header declares, if any
  /// (a skippable frame declares 0), and starts afresh for the next frame.
  private func endFrame(consumed: Int) throws(CodecFailure) {
    let declared = ZSTD_getFrameContentSize(frameStart, frameStart.count)
    let decoded = frameDecoded
    frameStart.removeAll(keepingCapacity: true)
    frameDecoded = 0
    // The two highest values are ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR (macros
    // Swift does not import); libzstd has validated the header by now, so that is "unknown".
    guard declared < UInt64.max - 1, declared != decoded else { return }
    throw CodecFailure(
      kind: .corrupt("frame content size mismatch: \(declared) bytes declared, \(decoded) decoded"),
      consumed: consumed)
  }
}
