import Glibc

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
/// It walks the record once, locating values without decoding them: strings are skipped with
/// a word-at-a-time search for the next quote or backslash, so the long strings that dominate
/// audit records (SOQL text, user agents, embedded JSON) cost little. Nesting deeper than `maxDepth` is refused, so hostile input cannot exhaust the stack.
struct JSONScanner {
  let base: UnsafePointer<UInt8>
  let count: Int
  static let maxDepth = 64

  init(_ record: UnsafeRawBufferPointer) {
    base = record.baseAddress?.assumingMemoryBound(to: UInt8.self)
      ?? UnsafePointer(bitPattern: 1)!
    count = record.count
  }

  /// The record's single top-level value; anything but whitespace after it is an error, and so
  /// are more than `maxFields` members and elements in all (a record of a million empty
  /// members is no audit record, and costs the extractor a lookup each).
  func topLevelValue(maxFields: Int = .max) throws(JSONSyntaxError) -> JSONValue {
    var index = 0
    var fieldsLeft = maxFields
    skipWhitespace(&index)
    let value = try scanValue(&index, depth: 0, fieldsLeft: &fieldsLeft)
    skipWhitespace(&index)
    guard index == count else { throw JSONSyntaxError(offset: index) }
    return value
  }

  /// A position inside an object or array being iterated.
  struct Cursor {
    var index: Int
    var atStart = true

    /// A cursor at the opening bracket of `container`.
    init(_ container: JSONValue) {
      index = container.start
    }
  }

  /// The next member of the object `cursor` walks (key as a string value), or nil at its end.
  func nextMember(_ cursor: inout Cursor) throws(JSONSyntaxError) -> (key: JSONValue, value: JSONValue)? {
    var index = cursor.index
    guard try advance(&index, cursor: &cursor, close: UInt8(ascii: "}")) else { return nil }
    guard index < count, base[index] == UInt8(ascii: "\"") else { throw JSONSyntaxError(offset: index) }
    let key = try scanString(&index)
    skipWhitespace(&index)
    guard index < count, base[index] == UInt8(ascii: ":") else { throw JSONSyntaxError(offset: index) }
    index += 1
    skipWhitespace(&index)
    var validated = Int.max  // counted when the record was validated
    let value = try scanValue(&index, depth: 1, fieldsLeft: &validated)
    cursor.index = index
    return (key, value)
  }

  /// The next element of the array `cursor` walks, or nil at its end.
  func nextElement(_ cursor: inout Cursor) throws(JSONSyntaxError) -> JSONValue? {
    var index = cursor.index
    guard try advance(&index, cursor: &cursor, close: UInt8(ascii: "]")) else { return nil }
    var validated = Int.max  // counted when the record was validated
    let value = try scanValue(&index, depth: 1, fieldsLeft: &validated)
    cursor.index = index
    return value
  }

  /// Moves past the opening bracket or the comma before the next item; false at the close.
  private func advance(_ index: inout Int, cursor: inout Cursor, close: UInt8) throws(JSONSyntaxError) -> Bool {
    if cursor.atStart {
      cursor.atStart = false
      index += 1
      skipWhitespace(&index)
      guard index < count else { throw JSONSyntaxError(offset: index) }
      return base[index] != close
    }
    skipWhitespace(&index)
    guard index < count else { throw JSONSyntaxError(offset: index) }
    if base[index] == close { return false }
    guard base[index] == UInt8(ascii: ",") else { throw JSONSyntaxError(offset: index) }
    index += 1
    skipWhitespace(&index)
    return true
  }

  /// The raw bytes of a value (for a string, between its quotes, still escaped).
  func bytes(of value: JSONValue) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: base + value.start, count: value.end - value.start)
  }

  @inline(__always)
  func skipWhitespace(_ index: inout Int) {
    while index < count {
      switch base[index] {
      case 0x20, 0x0A, 0x0D, 0x09: index += 1
      default: return
      }
    }
  }

  private func scanValue(_ index: inout Int, depth: Int, fieldsLeft: inout Int) throws(JSONSyntaxError) -> JSONValue {
    guard index < count else { throw JSONSyntaxError(offset: index) }
    let start = index
    switch base[index] {
    case UInt8(ascii: "\""):
      return try scanString(&index)
    case UInt8(ascii: "{"):
      guard depth < Self.maxDepth else { throw JSONSyntaxError(offset: index) }
      try skipContainer(&index, close: UInt8(ascii: "}"), depth: depth, isObject: true, fieldsLeft: &fieldsLeft)
      return JSONValue(kind: .object, start: start, end: index)
    case UInt8(ascii: "["):
      guard depth < Self.maxDepth else { throw JSONSyntaxError(offset: index) }
      try skipContainer(&index, close: UInt8(ascii: "]"), depth: depth, isObject: false, fieldsLeft: &fieldsLeft)
      return JSONValue(kind: .array, start: start, end: index)
    case UInt8(ascii: "t"):
      try expectLiteral(&index, "true")
      return JSONValue(kind: .bool, start: start, end: index)
    case UInt8(ascii: "f"):
      try expectLiteral(&index, "false")
      return JSONValue(kind: .bool, start: start, end: index)
    case UInt8(ascii: "n"):
      try expectLiteral(&index, "null")
      return JSONValue(kind: .null, start: start, end: index)
    default:
      try scanNumber(&index)
      return JSONValue(kind: .number, start: start, end: index)
    }
  }

  private func skipContainer(
    _ index: inout Int, close: UInt8, depth: Int, isObject: Bool, fieldsLeft: inout Int
  ) throws(JSONSyntaxError) {
    index += 1
    skipWhitespace(&index)
    guard index < count else { throw JSONSyntaxError(offset: index) }
    if base[index] == close {
      index += 1
      return
    }
    while true {
      fieldsLeft -= 1
      guard fieldsLeft >= 0 else { throw JSONSyntaxError(offset: index, tooManyFields: true) }
      skipWhitespace(&index)
      if isObject {
        guard index < count, base[index] == UInt8(ascii: "\"") else {
          throw JSONSyntaxError(offset: index)
        }
        _ = try scanString(&index)
        skipWhitespace(&index)
        guard index < count, base[index] == UInt8(ascii: ":") else {
          throw JSONSyntaxError(offset: index)
        }
        index += 1
        skipWhitespace(&index)
      }
      _ = try scanValue(&index, depth: depth + 1, fieldsLeft: &fieldsLeft)
      skipWhitespace(&index)
      guard index < count else { throw JSONSyntaxError(offset: index) }
      if base[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard base[index] == close else { throw JSONSyntaxError(offset: index) }
      index += 1
      return
    }
  }

  /// Scans a string starting at its opening quote; leaves `index` after the closing quote.
  ///
  /// Eight bytes are tested at a time for a quote or a backslash (the bit trick that finds a
  /// zero byte, applied to the word xor'ed with each), so the long strings of audit records are
  /// crossed at a few bytes per cycle without a library call per string.
  private func scanString(_ index: inout Int) throws(JSONSyntaxError) -> JSONValue {
    let start = index + 1
    var position = start
    var hasEscapes = false
    while true {
      if position + 8 <= count {
        let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
        let mask = Self.quoteOrBackslash(word)
        if mask == 0 {
          position += 8
          continue
        }
        position += mask.trailingZeroBitCount >> 3
      } else {
        while position < count && base[position] != 0x22 && base[position] != 0x5C { position += 1 }
        guard position < count else { throw JSONSyntaxError(offset: count) }
      }
      if base[position] == 0x22 {
        index = position + 1
        return JSONValue(kind: .string, start: start, end: position, hasEscapes: hasEscapes)
      }
      hasEscapes = true
      position += 2  // the backslash and the escaped byte (a \uXXXX's digits need no care)
    }
  }

  /// High bit set in each byte of `word` that is `"` or `\\` (exact for the lowest such byte,
  /// which is the only one used).
  @inline(__always)
  private static func quoteOrBackslash(_ word: UInt64) -> UInt64 {
    let quotes = word ^ 0x2222_2222_2222_2222
    let backslashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
    let low: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    return ((quotes &- low) & ~quotes & high) | ((backslashes &- low) & ~backslashes & high)
  }

  private func expectLiteral(_ index: inout Int, _ literal: StaticString) throws(JSONSyntaxError) {
    let length = literal.utf8CodeUnitCount
    guard index + length <= count,
      memcmp(base + index, literal.utf8Start, length) == 0
    else { throw JSONSyntaxError(offset: index) }
    index += length
  }

  /// Validates the JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
  private func scanNumber(_ index: inout Int) throws(JSONSyntaxError) {
    let start = index
    if index < count && base[index] == UInt8(ascii: "-") { index += 1 }
    let integerStart = index
    skipDigits(&index)
    let integerDigits = index - integerStart
    guard integerDigits > 0, integerDigits == 1 || base[integerStart] != UInt8(ascii: "0") else {
      throw JSONSyntaxError(offset: start)
    }
    if index < count && base[index] == UInt8(ascii: ".") {
      index += 1
      let fractionStart = index
      skipDigits(&index)
      guard index > fractionStart else { throw JSONSyntaxError(offset: index) }
    }
    if index < count && (base[index] | 0x20) == UInt8(ascii: "e") {
      index += 1
      if index < count && (base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-")) {
        index += 1
      }
      let exponentStart = index
      skipDigits(&index)
      guard index > exponentStart else { throw JSONSyntaxError(offset: index) }
    }
  }

  @inline(__always)
  private func skipDigits(_ index: inout Int) {
    while index < count && base[index] &- UInt8(ascii: "0") < 10 { index += 1 }
  }
}
