/// Where decoding of an input can start again after a stop, without decoding it from the
/// start: the compressed offset of a zstd frame or gzip member (the only places a codec can
/// start afresh), the decoded offset at which that unit starts, and the decoded offset to
/// resume at, which may lie inside the unit: the bytes before it are decoded and dropped.
///
/// For a plain file every byte is a restart point, so the unit offset is the resume offset.
/// A file written by `zstd` in one go is a single frame: resuming it decodes from its start
/// again (dropping what was read), which costs time, not correctness. Files appended frame by
/// frame (log shippers, `zstd` per batch) resume at their last frame.
public struct ResumePoint: Sendable, Hashable, Codable {
  public var codec: Codec
  /// Compressed offset of the frame or member to start decoding at.
  public var unitOffset: Int64
  /// Decoded offset at which that frame or member starts.
  public var unitDecodedOffset: Int64
  /// Decoded offset of the first byte to hand out.
  public var decodedOffset: Int64

  public init(codec: Codec, unitOffset: Int64, unitDecodedOffset: Int64, decodedOffset: Int64) {
    precondition(unitDecodedOffset <= decodedOffset, "a resume offset before its unit")
    self.codec = codec
    self.unitOffset = unitOffset
    self.unitDecodedOffset = unitDecodedOffset
    self.decodedOffset = decodedOffset
  }
}
