import ExfilWatchDecoder
import ExfilWatchSource

extension FuzzTarget {
  /// Decodings are cut short past this many bytes (a quarter of it for the 1-byte reads, which
  /// cost a call per byte): a few kilobytes of zstd can expand to gigabytes (every 4-byte RLE
  /// block is up to 128 KiB), which is the decoder working, not a finding, and would only make
  /// each execution slow.
  static let maxDecodedBytes = 4 << 20

  /// The Decoder stage on an auto-detected zstd, gzip or plain input.
  ///
  /// The input is decoded three ways: as a file is read (large reads and buffers), as a slow
  /// pipe delivers it (1-byte reads into the smallest buffers, so every frame, block and header
  /// is split), and with a 1 KiB window limit, so that frames are refused for their window. The
  /// decoded bytes must agree, and so must the outcome (see `Decoding.expectSame(as:)`). A
  /// decoded input is then resumed at a restart point the decoder gave, as runs do, and must
  /// continue with exactly the same bytes.
  @discardableResult
  public static func decode(_ bytes: UnsafeRawBufferPointer) -> Int {
    let input = Array(bytes)
    // 8 MiB rather than the 128 MiB default: the limit path is the same, and a mutated frame
    // header asking for 128 MiB would make most executions an allocation of that size.
    let file = DecoderOptions(maxWindowBytes: 8 << 20)
    let reference = Decoding(input, options: file)
    let pipe = Decoding(
      input, options: DecoderOptions(maxWindowBytes: 8 << 20, inputBufferBytes: 1, outputBufferBytes: 1),
      maxReadBytes: 1, limit: maxDecodedBytes / 4)
    reference.expectSame(as: pipe)
    reference.expectSame(as: Decoding(input, options: DecoderOptions(maxWindowBytes: 1 << 10)))
    reference.expectResumable(from: input, options: file)
    return reference.output.count
  }
}

/// One complete decoding of an input: what came out, and how it ended.
struct Decoding {
  var output: [UInt8] = []
  var failure: DecodeError?
  /// Whether decoding stopped at its limit of decoded bytes rather than at the input's end.
  var cut = false
  private let decoder: StreamDecoder

  init(
    _ input: [UInt8], options: DecoderOptions, maxReadBytes: Int = .max,
    limit: Int = FuzzTarget.maxDecodedBytes, resumingAt point: ResumePoint? = nil
  ) {
    let bytes = point.map { Array(input[Int($0.unitOffset)...]) } ?? input
    let source = MemoryByteSource(bytes: bytes, maxReadBytes: maxReadBytes)
    decoder = point.map { StreamDecoder(source: source, options: options, resumingAt: $0) }
      ?? StreamDecoder(source: source, options: options)
    do {
      while let chunk = try decoder.nextChunk() {
        output.append(contentsOf: chunk)
        if output.count >= limit {
          cut = true
          break
        }
      }
    } catch {
      failure = error
    }
    if !cut && failure == nil {
      expect(decoder.compressedOffset == Int64(input.count), "a decoded input left bytes unread")
      expect(decoder.decodedOffset - (point?.decodedOffset ?? 0) == Int64(output.count), "decodedOffset is not the bytes handed out")
    }
  }

  /// The same bytes, and the same outcome unless one of the two was cut short.
  ///
  /// A failure may come after a different number of bytes (a larger buffer decodes further
  /// into a damaged block before the damage is seen), so only the common prefix is compared
  /// then; the kind of failure must be the same.
  func expectSame(as other: Decoding) {
    let common = min(output.count, other.output.count)
    expect(output.prefix(common) == other.output.prefix(common), "decoded bytes depend on read and buffer sizes")
    guard !cut && !other.cut else { return }
    // libzstd decodes a frame that is wholly in the input, and whose declared content fits the
    // output buffer, in a single pass that needs no window, and applies no window limit then:
    // only a streamed frame is refused for its window. The memory bound holds either way, so a
    // refusal for the window in one reading may be another outcome (even success) in the other.
    guard Self.kind(failure) != "windowTooLarge" && Self.kind(other.failure) != "windowTooLarge" else { return }
    expect(Self.kind(failure) == Self.kind(other.failure), "the outcome depends on read and buffer sizes: \(String(describing: failure)) vs \(String(describing: other.failure))")
    if failure == nil { expect(output == other.output, "decoded bytes depend on read and buffer sizes") }
  }

  /// Resumes at a restart point for an offset chosen from the output, and compares.
  func expectResumable(from input: [UInt8], options: DecoderOptions) {
    guard failure == nil, !cut, !output.isEmpty else { return }
    let offset = Int64(output.count / 3)
    guard let point = decoder.restartPoint(forDecodedOffset: offset) else {
      fatalError("no restart point for a decoded offset with every unit start remembered")
    }
    let resumed = Decoding(input, options: options, resumingAt: point)
    expect(resumed.failure == nil, "a resumed decoding failed: \(resumed.failure!)")
    expect(resumed.output[...] == output[Int(offset)...], "a resumed decoding gave other bytes")
  }

  private static func kind(_ error: DecodeError?) -> String {
    switch error?.reason {
    case nil: "none"
    case .truncated: "truncated"
    case .corrupt: "corrupt"
    case .windowTooLarge: "windowTooLarge"
    case .unreadable: "unreadable"
    }
  }
}
