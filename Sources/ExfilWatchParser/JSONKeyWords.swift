import ExfilWatchEvent

/// A JSON key as its length and two words: its first eight bytes and its last eight (they
/// overlap for keys of 9 to 15 bytes; a key under eight bytes is one word, zero-padded).
///
/// The words and the length determine a key of up to 16 bytes, which is nearly every key of an
/// audit record, so `JSONFieldExtractor` matches such keys by comparing two words: no byte loop
/// and no `memcmp` call per member. Longer keys are compared byte for byte as well.
struct JSONKeyWords: Equatable {
  var head: UInt64
  var tail: UInt64
  var count: Int

  init(head: UInt64, tail: UInt64, count: Int) {
    self.head = head
    self.tail = tail
    self.count = count
  }

  /// The words of `key`, with ASCII letters lowercased when `ignoresCase`.
  ///
  /// - Parameter readable: how many bytes from the key's start may be read (at least the
  ///   key's). A key in a record is followed by its closing quote and more: with eight
  ///   readable bytes, a key under eight is one load with the bytes past it masked off, not
  ///   `ByteChecksum.partialWord`, a call from this module.
  @inline(__always)
  init(_ key: UnsafeRawBufferPointer, readable: Int, ignoresCase: Bool) {
    assert(readable >= key.count, "fewer readable bytes than the key has")
    count = key.count
    tail = 0
    if count >= 8 {
      head = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
      tail = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    } else if readable >= 8 {
      let word = UInt64(littleEndian: key.baseAddress!.loadUnaligned(as: UInt64.self))
      head = word & ((1 &<< (UInt64(truncatingIfNeeded: count) &* 8)) &- 1)
    } else {
      head = ByteChecksum.partialWord(key, from: 0, count: count)
    }
    if ignoresCase {
      head = Self.asciiLowercase(head)
      tail = Self.asciiLowercase(tail)
    }
  }

  /// A hash of the key for the extractor's table: only a filter (matches are compared).
  var hash: UInt64 {
    (head &* 0x9E37_79B9_7F4A_7C15) ^ (tail &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count)
  }

  /// `word` with each byte that is an ASCII capital letter lowercased, the others unchanged.
  @inline(__always)
  static func asciiLowercase(_ word: UInt64) -> UInt64 {
    let low7 = word & 0x7F7F_7F7F_7F7F_7F7F
    let atLeastA = low7 &+ 0x3F3F_3F3F_3F3F_3F3F  // high bit set where low7 >= "A"
    let pastZ = low7 &+ 0x2525_2525_2525_2525  // high bit set where low7 > "Z"
    let capitals = atLeastA & ~pastZ & ~word & 0x8080_8080_8080_8080  // and the byte is ASCII
    return word | capitals >> 2
  }
}
