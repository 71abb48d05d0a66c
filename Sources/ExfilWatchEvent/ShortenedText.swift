/// How a value too long to keep whole is kept: its first bytes, cut at a character boundary,
/// then `…#` and a hash of the whole value in 16 hex digits. Two long values that share a
/// beginning stay distinct (an attacker cannot hide under another's name), and the text still
/// reads as what it was.
public enum ShortenedText {
  /// The bytes the marker and the hash add after the kept beginning.
  public static let suffixLength = "…#".utf8.count + 16

  /// `text`'s first `prefixLength` bytes at most (fewer to end at a character boundary), the
  /// marker and the hash of the whole.
  public static func bytes(of text: UnsafeRawBufferPointer, keeping prefixLength: Int) -> [UInt8] {
    var end = min(prefixLength, text.count)
    while end > 0, end < text.count, text[end] & 0xC0 == 0x80 { end -= 1 }
    let hash = String(ByteChecksum.of(text), radix: 16)
    return Array(text[..<end]) + Array("…#\(String(repeating: "0", count: 16 - hash.count))\(hash)".utf8)
  }
}
