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
    let tail = partialWord(bytes, from: index, count: bytes.count - index)
    return mix(mix(hash, tail), UInt64(bytes.count))
  }

  /// The `count` bytes (at most eight) of `bytes` from `offset`, as a little-endian word padded
  /// with zeros: read with at most three loads, never past them. The checksum's last word; also
  /// a JSON key's words (`JSONKeyWords`). Read byte by byte in a loop, the last word was a fifth
  /// of checksumming the short values (names, addresses, ids) the symbol table interns.
  @inline(__always)
  package static func partialWord(_ bytes: UnsafeRawBufferPointer, from offset: Int, count: Int) -> UInt64 {
    if count >= 4 {
      // Two four-byte loads, each shifted to its place; or-ing their overlap changes nothing.
      let first = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
      let last = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + count - 4, as: UInt32.self))
      return UInt64(first) | UInt64(last) << (8 * UInt64(count - 4))
    }
    guard count > 0 else { return 0 }
    // The first, middle and last bytes are all the bytes of one to three.
    let middle = count >> 1
    return UInt64(bytes[offset]) | UInt64(bytes[offset + middle]) << (8 * UInt64(middle))
      | UInt64(bytes[offset + count - 1]) << (8 * UInt64(count - 1))
  }

  /// A checksum of bytes that come in pieces, whose length is not known until the last: the
  /// same steps as `of`, the length mixed in at the end only. Saved detector state is checked
  /// with it (format 4), as it is written a key at a time rather than held whole.
  package struct Running {
    private var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    private var count = 0
    /// The bytes of the word being gathered (fewer than eight), little-endian.
    private var pending: UInt64 = 0
    private var pendingCount = 0

    package init() {}

    package mutating func add(_ bytes: UnsafeRawBufferPointer) {
      count += bytes.count
      var index = 0
      if pendingCount > 0 {
        while pendingCount < 8, index < bytes.count {
          pending |= UInt64(bytes[index]) << (8 * UInt64(pendingCount))
          pendingCount += 1
          index += 1
        }
        guard pendingCount == 8 else { return }
        hash = mix(hash, pending)
        (pending, pendingCount) = (0, 0)
      }
      while index + 8 <= bytes.count {
        hash = mix(hash, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian)
        index += 8
      }
      pending = partialWord(bytes, from: index, count: bytes.count - index)
      pendingCount = bytes.count - index
    }

    /// The checksum of every byte added so far.
    package var value: UInt64 { mix(mix(hash, pending), UInt64(count)) }
  }

  /// `hash` with `word` folded in: how the checksum takes each word, for callers that hash
  /// a few words or checksums of their own.
  @inline(__always)
  package static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
    let multiplied = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
    return multiplied ^ (multiplied >> 29)
  }
}
