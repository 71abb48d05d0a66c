/// Whether `bytes` is valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
///
/// Audit records are almost always ASCII, so eight bytes are checked at a time for a high bit
/// first; only records with non-ASCII bytes take the byte-by-byte path.
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
  var index = 0
  let count = bytes.count
  while index + 8 <= count {
    if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
      break
    }
    index += 8
  }
  while index < count {
    let lead = bytes[index]
    if lead < 0x80 {
      index += 1
      continue
    }
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
