/// A 64-bit hash of bytes: the checksum of saved state (a symbol table, a detector's state), so
/// a run that restores damaged bytes stops with an error instead of carrying altered baselines
/// or names forward; also the symbol table's hash and files' content fingerprints.
///
/// Eight bytes per step, each step a bijection of the running value (xor, multiply by an odd
/// constant, xorshift): a change confined to one eight-byte word always changes the result, and
/// the length is mixed in first, so a truncated copy never matches. It is no defence against
/// someone forging state, which is not what it is for.
package enum ByteChecksum {
  package static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
    var index = 0
    while index + 8 <= bytes.count {
      hash = mix(hash, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian)
      index += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while index < bytes.count {
      tail |= UInt64(bytes[index]) << shift
      shift += 8
      index += 1
    }
    return mix(mix(hash, tail), UInt64(bytes.count))
  }

  /// `hash` with `word` folded in: how the checksum takes each word, for callers that hash
  /// a few words or checksums of their own.
  @inline(__always)
  package static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
    let multiplied = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
    return multiplied ^ (multiplied >> 29)
  }
}
