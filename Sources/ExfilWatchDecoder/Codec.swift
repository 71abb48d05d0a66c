/// The compression of an input, recognised from its first bytes, never from its file name:
/// rotated logs are renamed (`api.log.1`), piped (`-`) or recompressed without the name changing.
public enum Codec: String, Sendable, Codable, CustomStringConvertible {
  /// Zstandard frames (RFC 8878), possibly many, possibly with skippable frames between them.
  case zstd
  /// gzip members (RFC 1952), possibly many, as `cat a.gz b.gz` makes.
  case gzip
  /// Not compressed.
  case plain

  public var description: String { rawValue }

  /// The most leading bytes detection ever needs.
  static let detectionLength = 4

  /// The magic numbers that open a compressed input. A zstd file may legally start with a
  /// skippable frame, whose magic is any of `50…5F 2A 4D 18`.
  private static let magics: [(codec: Codec, bytes: [UInt8], firstByteMask: UInt8)] = [
    (.gzip, [0x1F, 0x8B], 0xFF),
    (.zstd, [0x28, 0xB5, 0x2F, 0xFD], 0xFF),
    (.zstd, [0x50, 0x2A, 0x4D, 0x18], 0xF0),
  ]

  /// Recognises the codec from the first bytes of an input.
  ///
  /// - Parameters:
  ///   - prefix: the input's first bytes (up to `detectionLength` are looked at).
  ///   - isComplete: whether `prefix` is all the input there is for now.
  /// - Returns: the codec, or `nil` while `prefix` is a strict prefix of a magic number and more
  ///   input may still come; an input that ends inside a magic number is then reported as an
  ///   unfinished compressed unit by the caller rather than mistaken for text.
  static func detect(_ prefix: UnsafeRawBufferPointer, isComplete: Bool) -> Codec? {
    for magic in magics {
      let compared = min(prefix.count, magic.bytes.count)
      guard compared > 0 else { return nil }
      let agrees = (0..<compared).allSatisfy { index in
        let mask = index == 0 ? magic.firstByteMask : 0xFF
        return prefix[index] & mask == magic.bytes[index]
      }
      guard agrees else { continue }
      if compared == magic.bytes.count { return magic.codec }
      return isComplete ? magic.codec : nil
    }
    return .plain
  }
}
