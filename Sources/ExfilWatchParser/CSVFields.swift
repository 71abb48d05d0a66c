import CByteScan

/// Splits one CSV record (as `CSVRecordFramer` cuts it) into its fields, without allocating per
/// field or per record.
///
/// ```
///  record  | "API","a ""b"" c",,"x,\ny",42 |
///  fields  | API | a "b" c | (empty) | x,\ny | 42 |
/// ```
///
/// A field is found, not copied: `field(_:)` is a slice of the record itself, unquoted, unless
/// the field holds doubled quotes (`""`), which must be unescaped; only those bytes are written
/// to a scratch buffer, and the field is a slice of that. The slots that describe the fields and
/// the scratch buffer keep their capacity from one record to the next, so after the first few
/// records a split allocates nothing.
///
/// The rules are RFC 4180's, as lenient as Python's `csv` where RFC 4180 is silent:
/// * `n` commas make `n + 1` fields: `a,,b` and `a,b,` have three, an empty record has one
///   (empty) field.
/// * A field that starts with `"` is quoted: it runs to the next `"` not doubled, and may hold
///   commas, `\n` and `\r\n`; `""` inside is one `"`. A closing quote must be followed by `,` or
///   the record's end; anything else (`"a"b`, `"a" ,`) makes the record malformed, and so does a
///   quoted field never closed.
/// * A `"` in the middle of an unquoted field (`ab"c`) is a literal byte, as in Python.
/// * One `\r` at the very end of the record is dropped (a `\r\n` terminator the framer left).
/// * Bytes are not decoded: UTF-8 (valid or not) passes through unchanged.
///
/// Lifetime: the fields point into the record passed to `split(_:)` and into storage owned by
/// this value, so they are valid until the next `split(_:)` of this value, and only while the
/// record's bytes are (for a record from a framer: during the handler call). Copies of a
/// `CSVFields` share that storage until one of them splits again, which then takes storage of
/// its own (copy-on-write), so a copy's fields are never overwritten by another copy.
public struct CSVFields {
  /// Owns the slots and the scratch buffer; the struct mirrors its pointers so that reading and
  /// writing them costs no class access (and no exclusivity check) per field.
  private var storage: Storage
  /// The fields of the last record split: `slots[0 ..< count]`.
  private var slots: UnsafeMutablePointer<UnsafeRawBufferPointer>
  private var slotCapacity: Int
  /// Unescaped bytes of the fields with doubled quotes of the last record split.
  private var scratch: UnsafeMutableRawPointer
  private var scratchCapacity: Int

  /// The number of fields of the last record split; 0 before the first split and after a
  /// malformed record.
  public private(set) var count = 0

  /// An empty splitter; reuse it for every record of a stream to reuse its buffers.
  public init() {
    storage = Storage(slotCapacity: 32, scratchCapacity: 256)
    slots = storage.slots
    slotCapacity = storage.slotCapacity
    scratch = storage.scratch
    scratchCapacity = storage.scratchCapacity
  }

  /// Splits `record`; returns false if it is malformed (a quote in the middle of an unquoted
  /// field is accepted as a literal, like Python's csv; an unterminated quoted field or junk
  /// after a closing quote is malformed), and then `count` is 0.
  public mutating func split(_ record: UnsafeRawBufferPointer) -> Bool {
    if !isKnownUniquelyReferenced(&storage) {
      // A copy still reads fields from the shared scratch: leave it to the copy.
      storage = Storage(slotCapacity: slotCapacity, scratchCapacity: scratchCapacity)
      adoptStorage()
    }
    count = 0
    guard let bytes = record.baseAddress, !record.isEmpty else {
      append(UnsafeRawBufferPointer(start: record.baseAddress, count: 0))
      return true
    }
    var end = record.count
    if bytes.load(fromByteOffset: end &- 1, as: UInt8.self) == .carriageReturn { end &-= 1 }
    var scratchUsed = 0
    var start = 0
    while true {
      guard start < end, bytes.load(fromByteOffset: start, as: UInt8.self) == .quote else {
        // Unquoted: up to the next comma; quotes in it are literal.
        let comma = firstIndex(of: .comma, in: bytes, from: start, to: end)
        append(UnsafeRawBufferPointer(start: bytes + start, count: comma &- start))
        if comma == end { return true }
        start = comma &+ 1
        continue
      }
      // Quoted: up to the first quote that is not doubled.
      var close = firstIndex(of: .quote, in: bytes, from: start &+ 1, to: end)
      // A closing quote followed by `,"`: the field ends, and the next one is quoted too (every
      // field of a Salesforce ELF row). Told by one two-byte load, this goes straight on to
      // the next field, as the tests below would.
      while close &+ 2 < end
        && bytes.loadUnaligned(fromByteOffset: close &+ 1, as: UInt16.self) == Self.commaQuote
      {
        append(UnsafeRawBufferPointer(start: bytes + (start &+ 1), count: close &- start &- 1))
        start = close &+ 2
        close = firstIndex(of: .quote, in: bytes, from: start &+ 1, to: end)
      }
      if close &+ 1 < end, bytes.load(fromByteOffset: close &+ 1, as: UInt8.self) == .quote {
        let unescaped = unescape(bytes, start &+ 1, firstQuote: close, end, &scratchUsed)
        guard let unescaped else {
          count = 0  // never closed
          return false
        }
        append(UnsafeRawBufferPointer(start: scratch + unescaped.start, count: unescaped.count))
        close = unescaped.close
      } else if close == end {
        count = 0  // never closed
        return false
      } else {
        append(UnsafeRawBufferPointer(start: bytes + (start &+ 1), count: close &- start &- 1))
      }
      if close &+ 1 == end { return true }
      guard bytes.load(fromByteOffset: close &+ 1, as: UInt8.self) == .comma else {
        count = 0  // junk after the closing quote
        return false
      }
      start = close &+ 2
    }
  }

  /// `,"` as a little-endian two-byte word.
  private static let commaQuote = UInt16(littleEndian: 0x222C)

  /// The field's bytes, unquoted: for a field without doubled quotes a slice of the record
  /// itself; with doubled quotes, a slice of an internal scratch buffer holding the unescaped
  /// bytes. Valid until the next split (see the type's lifetime note).
  public func field(_ index: Int) -> UnsafeRawBufferPointer {
    precondition(index >= 0 && index < count, "field index out of range")
    return slots[index]
  }

  /// The fields of the last record split, `count` of them, each as `field(_:)` gives it and
  /// valid as long: for a caller that reads many fields of a row and checked the count once.
  var all: UnsafeBufferPointer<UnsafeRawBufferPointer> {
    UnsafeBufferPointer(start: slots, count: count)
  }

  /// Writes the quoted field whose content starts at `contentStart`, and whose first quote (a
  /// doubled one) is at `firstQuote`, unescaped to the scratch buffer at `scratchUsed`.
  ///
  /// - Returns: where the unescaped bytes are in the scratch buffer, and where the closing quote
  ///   is in the record; nil if the field is never closed.
  private mutating func unescape(
    _ bytes: UnsafeRawPointer,
    _ contentStart: Int,
    firstQuote: Int,
    _ end: Int,
    _ scratchUsed: inout Int
  ) -> (start: Int, count: Int, close: Int)? {
    // The unescaped fields of a record are shorter than the record, so one check per record
    // suffices, and the scratch never moves while fields of this record point into it.
    if scratchCapacity < end { growScratch(to: end) }
    let fieldStart = scratchUsed
    var piece = contentStart
    var quote = firstQuote
    while true {
      let isDoubled =
        quote + 1 < end && bytes.load(fromByteOffset: quote + 1, as: UInt8.self) == .quote
      // Up to the quote, keeping it if doubled (its twin is skipped).
      let length = quote - piece + (isDoubled ? 1 : 0)
      (scratch + scratchUsed).copyMemory(from: bytes + piece, byteCount: length)
      scratchUsed += length
      guard isDoubled else { return (fieldStart, scratchUsed - fieldStart, quote) }
      piece = quote + 2
      quote = firstIndex(of: .quote, in: bytes, from: piece, to: end)
      if quote == end { return nil }
    }
  }

  @inline(__always)
  private mutating func append(_ field: UnsafeRawBufferPointer) {
    if count == slotCapacity { growSlots() }
    slots[count] = field
    count &+= 1
  }

  private mutating func growSlots() {
    storage.growSlots(keeping: count)
    adoptStorage()
  }

  private mutating func growScratch(to minimum: Int) {
    storage.growScratch(to: minimum)
    adoptStorage()
  }

  private mutating func adoptStorage() {
    slots = storage.slots
    slotCapacity = storage.slotCapacity
    scratch = storage.scratch
    scratchCapacity = storage.scratchCapacity
  }
}

/// Manually allocated memory, so that field pointers into the scratch buffer stay valid while
/// the `CSVFields` lives (an `Array` could move its buffer on a copy-on-write) and are freed
/// with it.
private final class Storage {
  private(set) var slots: UnsafeMutablePointer<UnsafeRawBufferPointer>
  private(set) var slotCapacity: Int
  private(set) var scratch: UnsafeMutableRawPointer
  private(set) var scratchCapacity: Int

  init(slotCapacity: Int, scratchCapacity: Int) {
    self.slotCapacity = slotCapacity
    self.scratchCapacity = scratchCapacity
    slots = .allocate(capacity: slotCapacity)
    scratch = .allocate(byteCount: scratchCapacity, alignment: 1)
  }

  deinit {
    slots.deallocate()
    scratch.deallocate()
  }

  /// Doubles the slots, keeping the first `used`.
  func growSlots(keeping used: Int) {
    let bigger = UnsafeMutablePointer<UnsafeRawBufferPointer>.allocate(capacity: slotCapacity * 2)
    bigger.initialize(from: slots, count: used)
    slots.deallocate()
    slots = bigger
    slotCapacity *= 2
  }

  /// Makes room for `minimum` bytes; the old contents are not kept (no field points there yet).
  func growScratch(to minimum: Int) {
    let capacity = max(minimum, scratchCapacity * 2)
    scratch.deallocate()
    scratch = .allocate(byteCount: capacity, alignment: 1)
    scratchCapacity = capacity
  }
}

extension UInt8 {
  fileprivate static let quote: UInt8 = 0x22
  fileprivate static let comma: UInt8 = 0x2C
  fileprivate static let carriageReturn: UInt8 = 0x0D
}

/// The index of the first `byte` in `bytes[from ..< end]`, or `end`.
///
/// Fields are short (tens of bytes), so a `memchr` call per field costs more than it saves;
/// this compares 16 bytes per step (`cbytescan_either16`: a bit per byte, lowest match first),
/// and finishes with one block that ends at `end` and overlaps bytes already looked at, with
/// those masked off. Only a record under 16 bytes is read byte by byte.
///
/// Here and in `split(_:)`, positions are within the record and added without overflow checks
/// (`&+`): the checks were some seven instructions of the fifty per field. Also the search of
/// short field values (an address's colon, a list's comma), where `Collection.firstIndex(of:)`
/// cost some 70 instructions a call.
@inline(__always)
func firstIndex(of byte: UInt8, in bytes: UnsafeRawPointer, from: Int, to end: Int) -> Int {
  var index = from
  while index &+ 16 <= end {
    let found = cbytescan_either16(bytes + index, byte, byte)
    if found != 0 { return index &+ found.trailingZeroBitCount }
    index &+= 16
  }
  guard index < end else { return end }
  if end >= 16 {
    // `bytes[end - 16 ..< index]` were looked at already (or precede `from`): mask them off.
    let found = cbytescan_either16(bytes + (end &- 16), byte, byte) & (~0 << UInt32(truncatingIfNeeded: index &- (end &- 16)))
    return found != 0 ? end &- 16 &+ found.trailingZeroBitCount : end
  }
  while index < end, bytes.load(fromByteOffset: index, as: UInt8.self) != byte { index &+= 1 }
  return index
}
