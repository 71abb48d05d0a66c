import CCrypto

/// The HMAC-SHA256 signature that lets a webhook receiver check a message came from this
/// ExfilWatch and was not replayed.
///
/// The signed text is `TIMESTAMP.BODY` (the `X-ExfilWatch-Timestamp` header, a dot, the exact
/// body bytes), so a captured request cannot be sent again later under a new timestamp; the
/// receiver recomputes it with the shared secret, compares in constant time and refuses
/// timestamps older than a few minutes. Sent as `X-ExfilWatch-Signature: v1=<hex>`; the `v1`
/// leaves room for another scheme without breaking receivers.
public enum WebhookSignature {
  public static let signatureHeader = "X-ExfilWatch-Signature"
  public static let timestampHeader = "X-ExfilWatch-Timestamp"

  /// The header value for `body` sent at `timestamp` (Unix seconds).
  public static func header(body: [UInt8], timestamp: Int64, secret: [UInt8]) -> String {
    "v1=" + hex(hmacSHA256(key: secret, message: Array("\(timestamp).".utf8) + body))
  }

  /// HMAC-SHA256 (RFC 2104) from the system's libcrypto.
  static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let result = key.withUnsafeBytes { key in
      message.withUnsafeBytes { message in
        digest.withUnsafeMutableBytes { digest in
          HMAC(
            EVP_sha256(), key.baseAddress, Int32(key.count),
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
            digest.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
        }
      }
    }
    precondition(result != nil && length == 32, "libcrypto's HMAC-SHA256 failed")
    return Array(digest.prefix(Int(length)))
  }

  private static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}
