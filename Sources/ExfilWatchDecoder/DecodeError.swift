import ExfilWatchSource

/// Why an input could not be decoded, and where.
///
/// Every case names the input and a byte offset in the *compressed* input, so an operator can
/// cut the damaged part out with `dd` or hand it to `zstd -t`/`gzip -t`; the offset of the frame
/// or member that contains the damage is given as well, since that is where decoding could
/// restart.
public struct DecodeError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable, Sendable {
    /// The input ends inside a zstd frame or gzip member. While following a growing file this is
    /// not an error (the rest has not been written yet); reading a finished file, it is.
    case truncated
    /// The compressed bytes are invalid (bad header, bad block, checksum mismatch); the text is
    /// the codec library's own explanation.
    case corrupt(String)
    /// A zstd frame asks for a larger window (decoder memory) than the configured limit: a
    /// decompression bomb, or a file made with `--long`/`--ultra` that needs a higher limit.
    case windowTooLarge(limitBytes: Int)
    /// The operating system refused to read the input.
    case unreadable(SourceError)
  }

  /// The input's name as given by the user.
  public var name: String
  public var codec: Codec?
  public var reason: Reason
  /// Where in the compressed input the problem was found.
  public var offset: Int64
  /// Where the frame (zstd) or member (gzip) containing the problem starts.
  public var unitOffset: Int64

  public init(name: String, codec: Codec?, reason: Reason, offset: Int64, unitOffset: Int64) {
    self.name = name
    self.codec = codec
    self.reason = reason
    self.offset = offset
    self.unitOffset = unitOffset
  }

  public var description: String {
    let unit = codec == .gzip ? "member" : "frame"
    let codecName = codec.map { "\($0) " } ?? ""
    switch reason {
    case .truncated:
      return "\(name): truncated \(codecName)data: the \(unit) starting at compressed offset "
        + "\(unitOffset) is incomplete at end of input (offset \(offset))"
    case .corrupt(let explanation):
      return "\(name): corrupt \(codecName)data at compressed offset \(offset) (\(unit) starting "
        + "at \(unitOffset)): \(explanation)"
    case .windowTooLarge(let limit):
      let limitText = limit >= 1 << 20 ? "\(limit >> 20) MiB" : "\(limit >> 10) KiB"
      return "\(name): the zstd frame at compressed offset \(unitOffset) needs a window larger "
        + "than the \(limitText) limit; refusing to allocate it (raise --max-window if the file "
        + "is trusted)"
    case .unreadable(let error):
      return "\(error) (at offset \(offset))"
    }
  }
}
