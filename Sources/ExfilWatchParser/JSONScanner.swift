/// A JSON value located in a record, not yet decoded.
struct JSONValue {
  enum Kind: UInt8 {
    case string, number, bool, null, object, array
  }

  var kind: Kind
  /// For strings, the first byte after the opening quote; else the value's first byte.
  var start: Int
  /// For strings, the closing quote; else one past the value's last byte.
  var end: Int
  /// For strings: whether a backslash escape occurs, so the bytes need decoding.
  var hasEscapes = false
}

/// Malformed JSON: the record is rejected as `bad-json`; or one with more values than the
/// limit (`too-many-fields`).
struct JSONSyntaxError: Error {
  var offset: Int
  var tooManyFields = false
}

/// A validating, allocation-free scanner over one JSON record.
///
/// It reads the record once, front to back, locating values without decoding them: strings are
/// skipped with a word-at-a-time search for the next quote or backslash, so the long strings
/// that dominate audit records (SOQL text, user agents, embedded JSON) cost little. A caller
/// walks the containers it cares about member by member (`enterContainer`, `nextMember`,
/// `nextElement`) and skips the rest whole (`skipValue`); either way every byte is validated
/// in that same pass, so the record is never read twice. Nesting deeper than `maxDepth` is
/// refused, so hostile input cannot exhaust the stack; more than `maxFields` members and
/// elements in all are refused too (a record of a million empty members is no audit record,
/// and costs the extractor a lookup each).
struct JSONScanner {
  let base: UnsafePointer<UInt8>
  let count: Int
  static let maxDepth = 64
  /// The next byte to read (set by the string scan too, `JSONScanner+Strings.swift`).
  var index = 0
  /// Members and elements the record may still have.
  private var fieldsLeft: Int
  /// Containers entered and not yet left.
  private var depth = 0

  init(_ record: UnsafeRawBufferPointer, maxFields: Int = .max) {
    base = record.baseAddress?.assumingMemoryBound(to: UInt8.self)
      ?? UnsafePointer(bitPattern: 1)!
    count = record.count
    fieldsLeft = maxFields
  }

  /// A container being walked item by item.
  struct Container {
    fileprivate let close: UInt8
    fileprivate var atStart = true
  }

  /// The byte at `index` (after `skipWhitespace`, the first of the next value), or nil at the
  /// record's end.
  var nextByte: UInt8? { index < count ? base[index] : nil }

  /// Checks that only whitespace follows the top-level value.
  mutating func expectEnd() throws(JSONSyntaxError) {
    skipWhitespace()
    guard index == count else { throw JSONSyntaxError(offset: index) }
  }

  /// Starts walking the object or array whose opening bracket is at `index`.
  mutating func enterContainer() throws(JSONSyntaxError) -> Container {
    guard depth < Self.maxDepth else { throw JSONSyntaxError(offset: index) }
    depth += 1
    return Container(close: base[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
  }

  /// The key of the object's next member, leaving `index` at the member's value (which the
  /// caller must walk or skip); nil after the object's end.
  ///
  /// Compact JSON (`,"key":value`, the form of every export we read) takes a shorter path that
  /// tests the separators' bytes and skips no whitespace; any other byte there goes the general
  /// way, which accepts and refuses exactly as before. Four whitespace skips and the checks
  /// around them were a quarter of this function, itself 15% of parsing an sf-rtem event.
  mutating func nextMember(_ object: inout Container) throws(JSONSyntaxError) -> JSONValue? {
    guard try nextKey(&object) else { return nil }
    let key = try scanString()
    try skipColon()
    return key
  }

  /// The first part of `nextMember`: moves to the opening quote of the object's next key;
  /// false after the object's end. The key is then read by `scanKey` or `skipKey(_:)`, and
  /// the colon after it by `skipColon`.
  @inline(__always)
  mutating func nextKey(_ object: inout Container) throws(JSONSyntaxError) -> Bool {
    if !object.atStart && index &+ 1 < count && base[index] == UInt8(ascii: ",")
      && base[index &+ 1] == UInt8(ascii: "\"")
    {
      index &+= 1
      try countItem()
      return true
    }
    guard try nextItem(&object) else { return false }
    guard index < count, base[index] == UInt8(ascii: "\"") else { throw JSONSyntaxError(offset: index) }
    return true
  }

  /// Scans the key whose opening quote is at `index` (after `nextKey`).
  @inline(__always)
  mutating func scanKey() throws(JSONSyntaxError) -> JSONValue {
    try scanString()
  }

  /// Moves past the key whose opening quote is at `index` (after `nextKey`) when its bytes and
  /// closing quote are `key`'s (`key` being one `scanKey` read, without escapes, at most 16
  /// bytes), as `scanKey` would; false, moving nothing, otherwise, or when the bytes to compare
  /// are not all inside the record. With the same bytes up to that quote, `scanKey` would end
  /// at it: the comparison is the scan.
  @inline(__always)
  mutating func skipKey(_ key: JSONKeyWords) -> Bool {
    let start = index &+ 1
    let end = start &+ key.count
    // The quote after the key, and a whole word from the key's start, lie inside the record.
    guard end < count && start &+ 8 <= count else { return false }
    guard Self.keyMatches(key, at: base + start) else { return false }
    guard base[end] == UInt8(ascii: "\"") else { return false }
    index = end &+ 1
    return true
  }

  /// `nextKey`, `skipKey(_:)` and `skipColon` at once, for a compact member (`,"key":value`)
  /// whose key is `key`: true, with `index` at the value, when the bytes are those; false,
  /// moving nothing, otherwise (or when the bytes to compare are not all inside the record).
  /// The bytes it tests are the ones the three test on this path, so it accepts and refuses
  /// as they do; it spares their calls and their separate bounds checks. At an object's start
  /// `index` is at its `{`, not a comma, so the first member always goes the usual way.
  @inline(__always)
  mutating func skipCompactMember(key: JSONKeyWords) throws(JSONSyntaxError) -> Bool {
    let start = index &+ 2
    let end = start &+ key.count
    // The comma, the quotes, the colon and the value's first byte, and a whole word from the
    // key's start, lie inside the record.
    guard end &+ 2 < count && start &+ 8 <= count
      && base[index] == UInt8(ascii: ",") && base[index &+ 1] == UInt8(ascii: "\"")
      && base[end] == UInt8(ascii: "\"") && base[end &+ 1] == UInt8(ascii: ":") && base[end &+ 2] > 0x20
      && Self.keyMatches(key, at: base + start)
    else { return false }
    // `countItem` after the comma, without its overflow check (the count is never below 0
    // before it) and without storing `index` twice.
    fieldsLeft &-= 1
    guard fieldsLeft >= 0 else { throw JSONSyntaxError(offset: index &+ 1, tooManyFields: true) }
    index = end &+ 2
    return true
  }

  /// Whether the `key.count` bytes at `start` are `key`'s (eight bytes from `start` readable).
  @inline(__always)
  private static func keyMatches(_ key: JSONKeyWords, at start: UnsafePointer<UInt8>) -> Bool {
    let head = UInt64(littleEndian: UnsafeRawPointer(start).loadUnaligned(as: UInt64.self))
    guard key.count >= 8 else {
      return head & ((1 &<< (UInt64(truncatingIfNeeded: key.count) &* 8)) &- 1) == key.head
    }
    let tail = UInt64(littleEndian: UnsafeRawPointer(start + (key.count &- 8)).loadUnaligned(as: UInt64.self))
    return head == key.head && tail == key.tail
  }

  /// Moves past the colon after a key, to the member's value.
  @inline(__always)
  mutating func skipColon() throws(JSONSyntaxError) {
    // Whitespace is 0x09, 0x0A, 0x0D and 0x20: a byte above 0x20 starts the value.
    if index &+ 1 < count && base[index] == UInt8(ascii: ":") && base[index &+ 1] > 0x20 {
      index &+= 1
      return
    }
    skipWhitespace()
    guard index < count, base[index] == UInt8(ascii: ":") else { throw JSONSyntaxError(offset: index) }
    index += 1
    skipWhitespace()
  }

  /// Whether the array has another element, leaving `index` at it (which the caller must walk
  /// or skip); false after the array's end.
  mutating func nextElement(_ array: inout Container) throws(JSONSyntaxError) -> Bool {
    try nextItem(&array)
  }

  /// Moves past the opening bracket or the comma before the next item and counts the item;
  /// false (past the closing bracket) at the container's end.
  @inline(__always)
  private mutating func nextItem(_ container: inout Container) throws(JSONSyntaxError) -> Bool {
    if container.atStart {
      container.atStart = false
      index += 1
      skipWhitespace()
      guard index < count else { throw JSONSyntaxError(offset: index) }
      if base[index] == container.close { return leave() }
    } else {
      skipWhitespace()
      guard index < count else { throw JSONSyntaxError(offset: index) }
      if base[index] == container.close { return leave() }
      guard base[index] == UInt8(ascii: ",") else { throw JSONSyntaxError(offset: index) }
      index += 1
    }
    try countItem()
    skipWhitespace()
    return true
  }

  /// Counts an item against `maxFields`.
  @inline(__always)
  private mutating func countItem() throws(JSONSyntaxError) {
    fieldsLeft -= 1
    guard fieldsLeft >= 0 else { throw JSONSyntaxError(offset: index, tooManyFields: true) }
  }

  @inline(__always)
  private mutating func leave() -> Bool {
    index += 1
    depth -= 1
    return false
  }

  /// The raw bytes of a value (for a string, between its quotes, still escaped).
  func bytes(of value: JSONValue) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: base + value.start, count: value.end - value.start)
  }

  @inline(__always)
  mutating func skipWhitespace() {
    while index < count {
      switch base[index] {
      case 0x20, 0x0A, 0x0D, 0x09: index += 1
      default: return
      }
    }
  }

  /// Validates the value at `index` and moves past it, as `skipValue` does, with a string
  /// (most values of an audit record) scanned in line, not through a call, and a `null` (a
  /// Salesforce event writes every field, empty ones as null) tested as one word.
  @inline(__always)
  mutating func nextValue() throws(JSONSyntaxError) -> JSONValue {
    if index < count && base[index] == UInt8(ascii: "\"") { return try scanString() }
    if index &+ 4 <= count && UnsafeRawPointer(base + index).loadUnaligned(as: UInt32.self) == Self.null {
      index &+= 4
      return JSONValue(kind: .null, start: index &- 4, end: index)
    }
    return try skipValue()
  }

  /// `null`'s four bytes as a word.
  private static let null = UInt32(littleEndian: 0x6C6C_756E)

  /// Validates the value at `index` and moves past it.
  mutating func skipValue() throws(JSONSyntaxError) -> JSONValue {
    guard index < count else { throw JSONSyntaxError(offset: index) }
    let start = index
    switch base[index] {
    case UInt8(ascii: "\""):
      return try scanString()
    case UInt8(ascii: "{"):
      var object = try enterContainer()
      while try nextMember(&object) != nil { _ = try skipValue() }
      return JSONValue(kind: .object, start: start, end: index)
    case UInt8(ascii: "["):
      var array = try enterContainer()
      while try nextElement(&array) { _ = try skipValue() }
      return JSONValue(kind: .array, start: start, end: index)
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return JSONValue(kind: .bool, start: start, end: index)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return JSONValue(kind: .bool, start: start, end: index)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return JSONValue(kind: .null, start: start, end: index)
    default:
      try scanNumber()
      return JSONValue(kind: .number, start: start, end: index)
    }
  }

  /// Moves past `literal` (`true`, `false`, `null`), compared byte by byte in line: a
  /// `memcmp` call cost more than the comparison.
  @inline(__always)
  private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
    let length = literal.utf8CodeUnitCount
    guard index + length <= count else { throw JSONSyntaxError(offset: index) }
    for offset in 0..<length where base[index + offset] != literal.utf8Start[offset] {
      throw JSONSyntaxError(offset: index)
    }
    index += length
  }

  /// Validates the JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
  private mutating func scanNumber() throws(JSONSyntaxError) {
    let start = index
    if index < count && base[index] == UInt8(ascii: "-") { index += 1 }
    let integerStart = index
    skipDigits()
    let integerDigits = index - integerStart
    guard integerDigits > 0, integerDigits == 1 || base[integerStart] != UInt8(ascii: "0") else {
      throw JSONSyntaxError(offset: start)
    }
    if index < count && base[index] == UInt8(ascii: ".") {
      index += 1
      let fractionStart = index
      skipDigits()
      guard index > fractionStart else { throw JSONSyntaxError(offset: index) }
    }
    if index < count && (base[index] | 0x20) == UInt8(ascii: "e") {
      index += 1
      if index < count && (base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-")) {
        index += 1
      }
      let exponentStart = index
      skipDigits()
      guard index > exponentStart else { throw JSONSyntaxError(offset: index) }
    }
  }

  @inline(__always)
  private mutating func skipDigits() {
    while index < count && base[index] &- UInt8(ascii: "0") < 10 { index += 1 }
  }
}
