/// Appends JSON text to a byte buffer without building `String`s: the output side of the hot
/// path for `exfilwatch events` and the rejects file, the findings' JSON and the detector's
/// saved state, which all escape strings the same way.
package enum JSONText {
  /// Appends `bytes` as a JSON string: quotes, `\"`, `\\`, `\n`, `\r`, `\t`, and `\u00XX` for
  /// other control characters; other bytes (UTF-8) as they are.
  package static func appendString(_ bytes: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
    buffer.append(UInt8(ascii: "\""))
    appendStringContent(bytes, to: &buffer)
    buffer.append(UInt8(ascii: "\""))
  }

  /// Appends `bytes` escaped as the inside of a JSON string, without the quotes.
  package static func appendStringContent(_ bytes: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
    var runStart = 0
    for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
      buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
      runStart = index + 1
      switch byte {
      case 0x22: buffer.append(contentsOf: [0x5C, 0x22])
      case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: buffer.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: buffer.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: buffer.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      default:
        let hex = Array("0123456789abcdef".utf8)
        buffer.append(contentsOf: Array(#"\u00"#.utf8))
        buffer.append(hex[Int(byte >> 4)])
        buffer.append(hex[Int(byte & 0xF)])
      }
    }
    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
  }

  package static func appendString(_ string: String, to buffer: inout [UInt8]) {
    var string = string
    string.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &buffer) }
  }

  package static func appendKey(_ key: StaticString, to buffer: inout [UInt8], first: Bool = false) {
    if !first { buffer.append(UInt8(ascii: ",")) }
    buffer.append(UInt8(ascii: "\""))
    buffer.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    buffer.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
  }

  package static func appendInteger<Integer: BinaryInteger>(_ value: Integer, to buffer: inout [UInt8]) {
    buffer.append(contentsOf: String(value).utf8)
  }

  package static func appendNull(to buffer: inout [UInt8]) {
    buffer.append(contentsOf: "null".utf8)
  }
}
