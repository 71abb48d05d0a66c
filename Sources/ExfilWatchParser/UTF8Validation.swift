import CByteScan

/// Whether `bytes` is valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
///
/// Audit records are almost always ASCII, so runs of ASCII are crossed 64 bytes at a time (four
/// vectors or'ed, one test of their high bits: `cbytescan_ascii64`), then a word at a time; only
/// the non-ASCII sequences themselves are decoded byte by byte, and the fast path resumes after
/// each. The last bytes, fewer than 64, are tested as the record's last 64 when it has that
/// many: all ASCII, they need no word loop.
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
  let highBits: UInt64 = 0x8080_8080_8080_8080
  var index = 0
  let count = bytes.count
  while index < count {
    if index + 64 <= count {
      if cbytescan_ascii64(bytes.baseAddress! + index) != 0 {
        index += 64
        continue
      }
    } else if count >= 64 && cbytescan_ascii64(bytes.baseAddress! + count - 64) != 0 {
      return true  // `index` is at a sequence's start, and all that follows it is ASCII
    }
    if index + 8 <= count {
      let high = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) & highBits
      if high == 0 {
        index += 8
        continue
      }
      index += high.trailingZeroBitCount >> 3  // the first non-ASCII byte
    } else if bytes[index] < 0x80 {
      index += 1
      continue
    }
    let lead = bytes[index]
    let length: Int
    var lower: UInt8 = 0x80
    var upper: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0: length = 3; lower = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED: length = 3; upper = 0x9F
    case 0xF0: length = 4; lower = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4: length = 4; upper = 0x8F
    default: return false
    }
    guard index + length <= count else { return false }
    let second = bytes[index + 1]
    guard second >= lower && second <= upper else { return false }
    for offset in 2..<max(length, 2) where offset < length {
      guard bytes[index + offset] & 0xC0 == 0x80 else { return false }
    }
    index += length
  }
  return true
}
