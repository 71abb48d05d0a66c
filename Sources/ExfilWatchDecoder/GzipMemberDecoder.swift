import CZlib

/// Streaming gzip decoding through zlib's `inflate`, member after member like `zcat`.
///
/// zlib stops at the end of each member (`Z_STREAM_END`); `inflateReset` then makes the same
/// stream read the next member's header, so a file made by `cat a.gz b.gz`, or by a logger that
/// appends one member per flush, decodes as one text. The `z_stream` lives at a fixed heap
/// address because zlib keeps a pointer back to it in its state.
final class GzipMemberDecoder {
  private let stream: UnsafeMutablePointer<z_stream>
  private var atMemberBoundary = true

  init() {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    // windowBits 15 + 16: gzip wrapper only, 32 KiB window (the maximum deflate uses).
    let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      fatalError("inflateInit2 failed with status \(status)")
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
  }

  func decode(
    _ input: UnsafeRawBufferPointer,
    into output: UnsafeMutableRawBufferPointer
  ) throws(CodecFailure) -> CodecStep {
    stream.pointee.next_in = UnsafeMutablePointer(
      mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.pointee.avail_in = UInt32(input.count)
    stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = UInt32(output.count)

    let status = inflate(stream, Z_NO_FLUSH)
    let consumed = input.count - Int(stream.pointee.avail_in)
    let produced = output.count - Int(stream.pointee.avail_out)
    switch status {
    case Z_STREAM_END:
      atMemberBoundary = true
      inflateReset(stream)
    case Z_OK, Z_BUF_ERROR:
      // Z_BUF_ERROR only says no progress was possible with the buffers given: not an error.
      if consumed > 0 { atMemberBoundary = false }
    default:
      let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
      throw CodecFailure(kind: .corrupt(message), consumed: consumed)
    }
    return CodecStep(consumed: consumed, produced: produced, atUnitBoundary: atMemberBoundary)
  }
}
