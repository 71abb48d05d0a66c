/// Limits and buffer sizes of the Decoder stage.
public struct DecoderOptions: Sendable {
  /// The default window limit: 128 MiB, the largest window `zstd` itself decodes without
  /// `--memory` (levels up to 22 with `--ultra` stay within it; `--long=31` does not).
  public static let defaultMaxWindowBytes = 128 << 20

  /// The largest zstd window (decoder memory per frame) to accept, rounded down to a power of
  /// two and clamped to what libzstd supports (1 KiB to 2 GiB on 64-bit systems).
  public var maxWindowBytes: Int
  /// Bytes read from the source per call.
  public var inputBufferBytes: Int
  /// The size of a decoded chunk: large enough that the per-chunk overhead vanishes, small
  /// enough to stay in the CPU's L2 cache while the next stage scans it.
  public var outputBufferBytes: Int

  public init(
    maxWindowBytes: Int = DecoderOptions.defaultMaxWindowBytes,
    inputBufferBytes: Int = 128 << 10,
    outputBufferBytes: Int = 256 << 10
  ) {
    self.maxWindowBytes = maxWindowBytes
    self.inputBufferBytes = inputBufferBytes
    self.outputBufferBytes = outputBufferBytes
  }

  /// `maxWindowBytes` as the base-2 logarithm libzstd takes (`ZSTD_d_windowLogMax`).
  var maxWindowLog: Int {
    let log = Int.bitWidth - 1 - max(maxWindowBytes, 1).leadingZeroBitCount
    let bounds = ZstdFrameDecoder.windowLogBounds
    return min(max(log, bounds.lowerBound), bounds.upperBound)
  }
}
