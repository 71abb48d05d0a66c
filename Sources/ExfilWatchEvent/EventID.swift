/// A platform's id of one event (a UUID, a Salesforce request id, a GUID), kept inline.
///
/// Event ids are unique per event, so interning them would grow the symbol table without end,
/// and a `String` per event is a heap allocation on the hot path. Ids of up to 64 bytes (all
/// the platforms' ids: 36-character UUIDs and GUIDs, 22-character request ids, 32-character
/// sys_ids, 64-digit hex digests) are stored whole in the value itself; a longer one is
/// shortened as long values are (`ShortenedText`: its beginning and a hash of the whole).
/// Nothing in the value is counted or freed, so events and the samples kept of them copy as
/// plain bytes, twice per event between the parser and the detector.
public struct EventID: Hashable, Sendable, CustomStringConvertible {
  // 32-bit words: an id aligned to 4 bytes packs after a sample's 20-byte origin, 8 bytes less
  // per sample kept (three per window bucket).
  private typealias Storage = (
    UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
    UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
  )
  /// The longest id kept whole, in bytes.
  public static let inlineCapacity = MemoryLayout<Storage>.size

  private var storage: Storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  private var count: UInt8 = 0

  /// The id with these UTF-8 bytes (shortened past `inlineCapacity`).
  public init(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count <= Self.inlineCapacity else {
      let shortened = ShortenedText.bytes(of: bytes, keeping: Self.inlineCapacity - ShortenedText.suffixLength)
      self = shortened.withUnsafeBytes { EventID($0) }
      return
    }
    count = UInt8(bytes.count)
    withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
  }

  public init(_ string: String) {
    var string = string
    self = string.withUTF8 { EventID(UnsafeRawBufferPointer($0)) }
  }

  /// Calls `body` with the id's UTF-8 bytes.
  public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
    try withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0[..<Int(count)])) }
  }

  public var description: String {
    withBytes { String(decoding: $0, as: UTF8.self) }
  }

  public static func == (lhs: EventID, rhs: EventID) -> Bool {
    lhs.withBytes { left in rhs.withBytes { right in left.elementsEqual(right) } }
  }

  public func hash(into hasher: inout Hasher) {
    withBytes { hasher.combine(bytes: $0) }
  }
}

/// An id is saved as its text when its bytes are UTF-8 (every platform's ids are), else as the
/// bytes themselves, so it comes back byte for byte either way: samples are ordered by them.
extension EventID: Codable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let text = try? container.decode(String.self) {
      self.init(text)
    } else {
      let bytes = try container.decode([UInt8].self)
      self = bytes.withUnsafeBytes { EventID($0) }
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    let text = withBytes { String(validating: $0, as: UTF8.self) }
    if let text {
      try container.encode(text)
    } else {
      try container.encode(withBytes { Array($0) })
    }
  }
}
