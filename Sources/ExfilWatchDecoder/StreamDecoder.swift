import ExfilWatchSource

/// The Decoder stage: turns a `ByteSource` of zstd, gzip or plain bytes into decoded bytes,
/// in large chunks from one reused buffer, with memory bounded whatever the input size.
///
/// ```
///  ByteSource ──read──▶ input buffer ──libzstd / zlib / as is──▶ output buffer ──▶ chunk
///  (file, stdin)        (inputBufferBytes)                       (outputBufferBytes)
/// ```
///
/// The codec is recognised from the first bytes (`Codec`). Two ways to pull:
/// - `nextChunk()` for an input that is finished (an archive, a closed pipe): `nil` at the end,
///   and an input that stops inside a frame or member throws `DecodeError` (`.truncated`).
/// - `poll()` for an input that may still grow (a followed file): `.unfinishedUnit` means
///   "the rest of this frame has not been written yet"; poll again once the file has grown.
///
/// A chunk is valid until the next call. Memory is the two buffers plus the codec's state
/// (for zstd at most the window limit, default 128 MiB, and typically the 8 MiB or less that
/// `zstd` uses by default).
public final class StreamDecoder {
  /// What `poll()` found.
  public enum Step {
    /// Decoded bytes, valid until the next call.
    case data(UnsafeRawBufferPointer)
    /// No more bytes now, and everything read so far was decoded completely.
    case endOfInput
    /// No more bytes now, but the input stops inside a frame or member.
    case unfinishedUnit
  }

  public let source: any ByteSource
  public let options: DecoderOptions
  /// The codec, once the first bytes have been seen.
  public private(set) var codec: Codec?
  /// Compressed bytes taken by the codec so far.
  public private(set) var compressedOffset: Int64 = 0
  /// Where the current (or, between units, the next) zstd frame or gzip member starts: the
  /// position from which decoding can restart.
  public private(set) var unitOffset: Int64 = 0
  /// Decoded bytes handed out so far.
  public private(set) var decodedOffset: Int64 = 0

  private enum Engine {
    case plain
    case zstd(ZstdFrameDecoder)
    case gzip(GzipMemberDecoder)
  }

  private var engine: Engine?
  private let input: UnsafeMutableRawBufferPointer
  private var inputStart = 0
  private var inputEnd = 0
  private let output: UnsafeMutableRawBufferPointer
  /// The last call filled the output buffer, so the codec may hold more decoded bytes.
  private var outputMayBePending = false
  private var atUnitBoundary = true

  public init(source: any ByteSource, options: DecoderOptions = DecoderOptions()) {
    self.source = source
    self.options = options
    input = .allocate(byteCount: max(options.inputBufferBytes, 64), alignment: 64)
    output = .allocate(byteCount: max(options.outputBufferBytes, 64), alignment: 64)
  }

  deinit {
    input.deallocate()
    output.deallocate()
  }

  /// The next decoded chunk of a finished input, or `nil` at its end.
  ///
  /// - Throws: `DecodeError`; `.truncated` when the input ends inside a frame or member.
  public func nextChunk() throws(DecodeError) -> UnsafeRawBufferPointer? {
    switch try poll() {
    case .data(let chunk): return chunk
    case .endOfInput: return nil
    case .unfinishedUnit: throw failure(.truncated, consumedInCall: 0)
    }
  }

  /// Decodes what the source has now.
  ///
  /// - Throws: `DecodeError` for corrupt data, a refused window or an unreadable source.
  public func poll() throws(DecodeError) -> Step {
    while true {
      if inputStart == inputEnd && !outputMayBePending {
        inputStart = 0
        inputEnd = 0
        if try fill() == 0 { return atUnitBoundary ? .endOfInput : .unfinishedUnit }
      }
      guard let engine = try engineAfterDetection() else {
        return inputStart == inputEnd ? .endOfInput : .unfinishedUnit
      }
      let available = UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd])
      let step: CodecStep
      do {
        switch engine {
        case .plain:
          step = CodecStep(consumed: available.count, produced: 0, atUnitBoundary: true)
        case .zstd(let decoder):
          step = try decoder.decode(available, into: output)
        case .gzip(let decoder):
          step = try decoder.decode(available, into: output)
        }
      } catch {
        throw failure(reason(for: error.kind), consumedInCall: error.consumed)
      }
      inputStart += step.consumed
      compressedOffset += Int64(step.consumed)
      atUnitBoundary = step.atUnitBoundary
      if atUnitBoundary { unitOffset = compressedOffset }

      if case .plain = engine {
        decodedOffset += Int64(available.count)
        return .data(available)
      }
      outputMayBePending = step.produced == output.count
      if step.produced > 0 {
        decodedOffset += Int64(step.produced)
        return .data(UnsafeRawBufferPointer(rebasing: output[..<step.produced]))
      }
      if step.consumed == 0 && inputStart < inputEnd && !outputMayBePending {
        // Both libraries always move when given input and output room; guard against a hang.
        throw failure(.corrupt("the decoder made no progress"), consumedInCall: 0)
      }
    }
  }

  /// The codec engine, created once enough leading bytes are buffered to recognise the codec;
  /// `nil` while the input is empty or stops inside a magic number.
  private func engineAfterDetection() throws(DecodeError) -> Engine? {
    if let engine { return engine }
    while inputEnd - inputStart < Codec.detectionLength, try fill() > 0 {}
    let prefix = UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd])
    guard let detected = Codec.detect(prefix, isComplete: false) else { return nil }
    let created: Engine
    switch detected {
    case .plain: created = .plain
    case .zstd: created = .zstd(ZstdFrameDecoder(maxWindowLog: options.maxWindowLog))
    case .gzip: created = .gzip(GzipMemberDecoder())
    }
    codec = detected
    engine = created
    return created
  }

  /// Reads from the source into the free end of the input buffer.
  private func fill() throws(DecodeError) -> Int {
    let free = UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...])
    do {
      let count = try source.read(into: free)
      inputEnd += count
      return count
    } catch {
      throw failure(.unreadable(error), consumedInCall: 0)
    }
  }

  private func reason(for kind: CodecFailure.Kind) -> DecodeError.Reason {
    switch kind {
    case .corrupt(let explanation): return .corrupt(explanation)
    case .windowTooLarge: return .windowTooLarge(limitBytes: 1 << options.maxWindowLog)
    }
  }

  private func failure(_ reason: DecodeError.Reason, consumedInCall: Int) -> DecodeError {
    let buffered = UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd])
    return DecodeError(
      name: source.name,
      codec: codec ?? Codec.detect(buffered, isComplete: true),
      reason: reason,
      offset: compressedOffset + Int64(consumedInCall),
      unitOffset: unitOffset)
  }
}
