/// A symbol table as bytes, for a cron scan that carries its detector's state to the next run:
/// the state names actors, clients and IPs by symbol number, so the table must come back with
/// every string under the number it had.
///
/// Layout (integers little-endian): `EXWY`, format version (UInt16), checksum (UInt64) of what
/// follows, symbol count (UInt32), then each symbol's UTF-8 bytes as a UInt32 length and the
/// bytes, in symbol order from 1, length 0 for a number a sweep freed; then (from version 2)
/// the whole texts of values interned shortened: their count (UInt32), and each as symbol
/// number (UInt32), UInt32 length and bytes.
extension SymbolTable {
  static let encodingMagic: [UInt8] = Array("EXWY".utf8)
  static let encodingVersion: UInt16 = 2
  /// Magic, version and checksum.
  private static let encodingHeaderSize = 4 + 2 + 8

  /// Every string of the table in symbol order, as bytes `init(encodedStrings:)` restores.
  public func encodedStrings() -> [UInt8] {
    var body: [UInt8] = []
    body.appendLittleEndian(UInt32(count))
    for raw in UInt32(1)..<UInt32(count + 1) {
      withBytes(Symbol(rawValue: raw)) { bytes in
        body.appendLittleEndian(UInt32(bytes.count))
        body.append(contentsOf: bytes)
      }
    }
    let wholeTexts = wholeTextsByNumber
    body.appendLittleEndian(UInt32(wholeTexts.count))
    for (number, text) in wholeTexts {
      body.appendLittleEndian(number)
      body.appendLittleEndian(UInt32(text.utf8.count))
      body.append(contentsOf: text.utf8)
    }
    var encoded = Self.encodingMagic
    encoded.appendLittleEndian(Self.encodingVersion)
    encoded.appendLittleEndian(body.withUnsafeBytes(ByteChecksum.of))
    return encoded + body
  }

  /// A table holding the encoded strings under the numbers they had, ready to intern more
  /// (new strings are numbered after them, as they would have been in one long run).
  ///
  /// - Throws: `SymbolTableDecodingError` for bytes that are not an encoded symbol table, of
  ///   another format version, or damaged.
  public convenience init(encodedStrings bytes: [UInt8]) throws(SymbolTableDecodingError) {
    self.init()
    guard bytes.count >= Self.encodingHeaderSize, bytes.starts(with: Self.encodingMagic) else {
      throw .notSymbolTable
    }
    var reader = LittleEndianReader(bytes: bytes, offset: Self.encodingMagic.count)
    let version = reader.read(UInt16.self)!
    guard version == 1 || version == Self.encodingVersion else {
      throw .unsupportedVersion(found: version, supported: Self.encodingVersion)
    }
    let checksum = reader.read(UInt64.self)!
    let body = bytes.withUnsafeBytes { all in
      ByteChecksum.of(UnsafeRawBufferPointer(rebasing: all[Self.encodingHeaderSize...]))
    }
    guard body == checksum else { throw .corrupt("checksum mismatch") }
    guard let declared = reader.read(UInt32.self) else { throw .corrupt("no symbol count") }
    for raw in 1..<UInt64(declared) + 1 {
      guard let length = reader.read(UInt32.self), length > 0 || version > 1, let range = reader.take(Int(length)) else {
        throw .corrupt("symbol \(raw) of \(declared) is cut short or empty")
      }
      guard length > 0 else {
        appendFreeNumber()
        continue
      }
      let symbol = bytes.withUnsafeBytes { intern(UnsafeRawBufferPointer(rebasing: $0[range])) }
      guard UInt64(symbol.rawValue) == raw else {
        throw .corrupt("symbol \(raw) repeats symbol \(symbol.rawValue)")
      }
    }
    var wholeTexts: [(number: UInt32, text: String)] = []
    if version > 1 {
      guard let wholeCount = reader.read(UInt32.self) else { throw .corrupt("no count of whole texts") }
      for _ in 0..<wholeCount {
        guard let number = reader.read(UInt32.self), number >= 1, number <= declared,
          let length = reader.read(UInt32.self), let range = reader.take(Int(length))
        else { throw .corrupt("a whole text is cut short or names no symbol") }
        wholeTexts.append((number, String(decoding: bytes[range], as: UTF8.self)))
      }
    }
    guard finishRestoring(wholeTexts: wholeTexts) else { throw .corrupt("a whole text names a freed symbol") }
    guard reader.isAtEnd else { throw .corrupt("\(bytes.count - reader.offset) bytes after the last symbol") }
  }
}

/// Why encoded symbol-table bytes could not be restored.
public enum SymbolTableDecodingError: Error, Equatable, CustomStringConvertible {
  /// The bytes do not start like an encoded symbol table (another blob, or nothing).
  case notSymbolTable
  /// Written by another version of ExfilWatch's format.
  case unsupportedVersion(found: UInt16, supported: UInt16)
  /// The bytes were altered or cut short.
  case corrupt(String)

  public var description: String {
    switch self {
    case .notSymbolTable: "the bytes are not a saved symbol table"
    case .unsupportedVersion(let found, let supported):
      "the saved symbol table has format version \(found); this version of exfilwatch reads version \(supported)"
    case .corrupt(let reason): "the saved symbol table is damaged: \(reason)"
    }
  }
}

extension [UInt8] {
  mutating func appendLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}

/// Reads little-endian integers and byte ranges from the front of a byte array; nil past the end.
struct LittleEndianReader {
  let bytes: [UInt8]
  private(set) var offset: Int

  init(bytes: [UInt8], offset: Int) {
    self.bytes = bytes
    self.offset = offset
  }

  var isAtEnd: Bool { offset == bytes.count }

  mutating func read<Integer: FixedWidthInteger>(_: Integer.Type) -> Integer? {
    guard let range = take(MemoryLayout<Integer>.size) else { return nil }
    return bytes.withUnsafeBytes { Integer(littleEndian: $0.loadUnaligned(fromByteOffset: range.lowerBound, as: Integer.self)) }
  }

  mutating func take(_ count: Int) -> Range<Int>? {
    guard count <= bytes.count - offset else { return nil }
    defer { offset += count }
    return offset..<offset + count
  }
}
