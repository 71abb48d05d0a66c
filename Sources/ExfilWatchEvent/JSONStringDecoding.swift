/// Room for the decoded text of the strings of one record (the Parser's JSON records, a line of
/// the detector's saved state).
///
/// Decoded JSON text is never longer than its escaped form, so a buffer as large as the record
/// holds every string decoded from it; pointers into it stay valid until `reset(forRecordOf:)`.
package final class DecodeScratch {
  private var storage: UnsafeMutableRawBufferPointer
  private var used = 0

  package init(capacity: Int = 1 << 16) {
    storage = .allocate(byteCount: capacity, alignment: 8)
  }

  deinit {
    storage.deallocate()
  }

  /// Empties the buffer and makes sure it can hold everything decoded from a record of
  /// `recordLength` bytes.
  package func reset(forRecordOf recordLength: Int) {
    used = 0
    if storage.count < recordLength {
      storage.deallocate()
      storage = .allocate(byteCount: max(recordLength, storage.count * 2), alignment: 8)
    }
  }

  /// Decodes the escaped string bytes `escaped` (between the quotes) into the buffer.
  ///
  /// - Returns: the decoded UTF-8 bytes, or nil for an invalid escape.
  package func decode(_ escaped: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
    let output = storage.baseAddress! + used
    var written = 0
    var index = 0
    func put(_ byte: UInt8) {
      output.storeBytes(of: byte, toByteOffset: written, as: UInt8.self)
      written += 1
    }
    while index < escaped.count {
      let byte = escaped[index]
      index += 1
      guard byte == 0x5C else {
        put(byte)
        continue
      }
      guard index < escaped.count else { return nil }
      let escape = escaped[index]
      index += 1
      switch escape {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): put(escape)
      case UInt8(ascii: "b"): put(0x08)
      case UInt8(ascii: "f"): put(0x0C)
      case UInt8(ascii: "n"): put(0x0A)
      case UInt8(ascii: "r"): put(0x0D)
      case UInt8(ascii: "t"): put(0x09)
      case UInt8(ascii: "u"):
        guard var scalar = hex4(escaped, at: index) else { return nil }
        index += 4
        if scalar & 0xFC00 == 0xD800 {
          // A high surrogate must be followed by `\uDC00`...`\uDFFF`; alone it is replaced.
          if index + 6 <= escaped.count, escaped[index] == 0x5C,
            escaped[index + 1] == UInt8(ascii: "u"),
            let low = hex4(escaped, at: index + 2), low & 0xFC00 == 0xDC00
          {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            index += 6
          } else {
            scalar = 0xFFFD
          }
        } else if scalar & 0xFC00 == 0xDC00 {
          scalar = 0xFFFD
        }
        for unit in UTF8.encode(Unicode.Scalar(scalar)!)! { put(unit) }
      default:
        return nil
      }
    }
    used += written
    return UnsafeRawBufferPointer(start: output, count: written)
  }

  private func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt32? {
    guard index + 4 <= bytes.count else { return nil }
    var value: UInt32 = 0
    for offset in 0..<4 {
      let byte = bytes[index + offset]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: return nil
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }
}
