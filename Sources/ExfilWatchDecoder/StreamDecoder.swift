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
/// A decoder can also start where an earlier one stopped (`init(source:options:resumingAt:)`),
/// and tells where it could restart for any decoded offset it still remembers
/// (`restartPoint(forDecodedOffset:)`): that is how runs resume inside compressed files.
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

    var isCompressed: Bool {
      if case .plain = self { return false }
      return true
    }
  }

  private var engine: Engine?
  private let input: UnsafeMutableRawBufferPointer
  private var inputStart = 0
  private var inputEnd = 0
  private let output: UnsafeMutableRawBufferPointer
  /// The last call filled the output buffer, so the codec may hold more decoded bytes.
  private var outputMayBePending = false
  private var atUnitBoundary = true
  /// Starts of the frames or members passed, oldest first: (compressed, decoded) offsets.
  private var unitStarts: [(compressed: Int64, decoded: Int64)] = [(0, 0)]
  /// Decoded bytes before this offset are dropped, not handed out (a resumed input).
  private var dropBefore: Int64 = 0

  public init(source: any ByteSource, options: DecoderOptions = DecoderOptions()) {
    self.source = source
    self.options = options
    input = .allocate(byteCount: max(options.inputBufferBytes, 64), alignment: 64)
    output = .allocate(byteCount: max(options.outputBufferBytes, 64), alignment: 64)
  }

  /// A decoder that continues an input from `point`.
  ///
  /// - Parameter source: positioned at `point.unitOffset` (a frame or member start, or for a
  ///   plain input the resume offset itself).
  public convenience init(
    source: any ByteSource, options: DecoderOptions = DecoderOptions(), resumingAt point: ResumePoint
  ) {
    self.init(source: source, options: options)
    codec = point.codec
    engine = Self.makeEngine(point.codec, options: options)
    compressedOffset = point.unitOffset
    unitOffset = point.unitOffset
    decodedOffset = point.unitDecodedOffset
    unitStarts = [(point.unitOffset, point.unitDecodedOffset)]
    dropBefore = point.decodedOffset
  }

  /// Where decoding could start again so that the first byte handed out is the one at
  /// `decodedOffset`; `nil` before the codec is known, or for an offset before the oldest unit
  /// start still remembered (see `forgetUnitStarts(before:)`).
  public func restartPoint(forDecodedOffset offset: Int64) -> ResumePoint? {
    guard let codec else { return nil }
    if codec == .plain {
      return ResumePoint(codec: .plain, unitOffset: offset, unitDecodedOffset: offset, decodedOffset: offset)
    }
    guard let unit = unitStarts.last(where: { $0.decoded <= offset }) else { return nil }
    return ResumePoint(
      codec: codec, unitOffset: unit.compressed, unitDecodedOffset: unit.decoded, decodedOffset: offset)
  }

  /// Forgets the unit starts that no restart at or after `decodedOffset` needs, so a file of
  /// many small frames does not make the list grow.
  public func forgetUnitStarts(before decodedOffset: Int64) {
    guard let keep = unitStarts.lastIndex(where: { $0.decoded <= decodedOffset }), keep > 0 else { return }
    unitStarts.removeFirst(keep)
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
    case .unfinishedUnit: throw truncationError()
    }
  }

  /// The error for an input that ended inside a frame or member and will not grow any more.
  public func truncationError() -> DecodeError {
    failure(.truncated, consumedInCall: 0)
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

      let produced: UnsafeRawBufferPointer
      if case .plain = engine {
        produced = available
      } else {
        outputMayBePending = step.produced == output.count
        produced = UnsafeRawBufferPointer(rebasing: output[..<step.produced])
      }
      let producedStart = decodedOffset
      decodedOffset += Int64(produced.count)
      if atUnitBoundary {
        unitOffset = compressedOffset
        if engine.isCompressed, unitStarts.last?.compressed != compressedOffset {
          unitStarts.append((compressedOffset, decodedOffset))
        }
      }
      if decodedOffset > dropBefore, !produced.isEmpty {
        let kept = Int(max(dropBefore - producedStart, 0))
        return .data(UnsafeRawBufferPointer(rebasing: produced[kept...]))
      }
      if case .plain = engine { continue }
      if produced.isEmpty && step.consumed == 0 && inputStart < inputEnd && !outputMayBePending {
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
    let created = Self.makeEngine(detected, options: options)
    codec = detected
    engine = created
    return created
  }

  private static func makeEngine(_ codec: Codec, options: DecoderOptions) -> Engine {
    switch codec {
    case .plain: .plain
    case .zstd: .zstd(ZstdFrameDecoder(maxWindowLog: options.maxWindowLog))
    case .gzip: .gzip(GzipMemberDecoder())
    }
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
