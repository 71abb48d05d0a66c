import CZstd

/// Streaming zstd decoding through libzstd's `ZSTD_decompressStream`.
///
/// One decompression context serves the whole input: libzstd moves from frame to frame by
/// itself, skips skippable frames, and handles frames without a content size. The window limit
/// is set with `ZSTD_d_windowLogMax`, so a frame that asks for more memory is refused before
/// anything is allocated for it.
final class ZstdFrameDecoder {
  private let context: OpaquePointer
  /// True until the first byte of a frame has been consumed after the previous frame ended.
  private var atFrameBoundary = true

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
    }
    return CodecStep(consumed: source.pos, produced: destination.pos, atUnitBoundary: atFrameBoundary)
  }
}
