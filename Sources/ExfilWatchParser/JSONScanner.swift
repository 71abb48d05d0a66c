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

/// Malformed JSON: the record is rejected as `bad-json`.
struct JSONSyntaxError: Error {
  var offset: Int
}

/// A validating, allocation-free scanner over one JSON record.
///
/// It walks the record once, locating values without decoding them: strings are skipped with
/// `memchr` to the next quote (an escaped quote is recognised by the backslashes before it), so
/// the long strings that dominate audit records (SOQL text, user agents, embedded JSON) cost
/// little. Nesting deeper than `maxDepth` is refused, so hostile input cannot exhaust the stack.
struct JSONScanner {
  let base: UnsafePointer<UInt8>
  let count: Int
  static let maxDepth = 64

  init(_ record: UnsafeRawBufferPointer) {
    base = record.baseAddress?.assumingMemoryBound(to: UInt8.self)
      ?? UnsafePointer(bitPattern: 1)!
    count = record.count
  }

  /// The record's single top-level value; anything but whitespace after it is an error.
  func topLevelValue() throws(JSONSyntaxError) -> JSONValue {
    var index = 0
    skipWhitespace(&index)
    let value = try scanValue(&index, depth: 0)
    skipWhitespace(&index)
    guard index == count else { throw JSONSyntaxError(offset: index) }
    return value
  }

  /// Calls `body` with each member of `object` (its key as a string value).
  func forEachMember(
    of object: JSONValue, _ body: (JSONValue, JSONValue) throws(JSONSyntaxError) -> Void
  ) throws(JSONSyntaxError) {
    var index = object.start + 1
    skipWhitespace(&index)
    guard index < count, base[index] != UInt8(ascii: "}") else { return }
    while true {
      skipWhitespace(&index)
      guard index < count, base[index] == UInt8(ascii: "\"") else {
        throw JSONSyntaxError(offset: index)
      }
      let key = try scanString(&index)
      skipWhitespace(&index)
      guard index < count, base[index] == UInt8(ascii: ":") else {
        throw JSONSyntaxError(offset: index)
      }
      index += 1
      skipWhitespace(&index)
      let value = try scanValue(&index, depth: 1)
      try body(key, value)
      skipWhitespace(&index)
      guard index < count else { throw JSONSyntaxError(offset: index) }
      if base[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard base[index] == UInt8(ascii: "}") else { throw JSONSyntaxError(offset: index) }
      return
    }
  }

  /// Calls `body` with each element of `array`.
  func forEachElement(
    of array: JSONValue, _ body: (JSONValue) throws(JSONSyntaxError) -> Void
  ) throws(JSONSyntaxError) {
    var index = array.start + 1
    skipWhitespace(&index)
    guard index < count, base[index] != UInt8(ascii: "]") else { return }
    while true {
      skipWhitespace(&index)
      let value = try scanValue(&index, depth: 1)
      try body(value)
      skipWhitespace(&index)
      guard index < count else { throw JSONSyntaxError(offset: index) }
      if base[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard base[index] == UInt8(ascii: "]") else { throw JSONSyntaxError(offset: index) }
      return
    }
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

  private func scanValue(_ index: inout Int, depth: Int) throws(JSONSyntaxError) -> JSONValue {
    guard index < count else { throw JSONSyntaxError(offset: index) }
    let start = index
    switch base[index] {
    case UInt8(ascii: "\""):
      return try scanString(&index)
    case UInt8(ascii: "{"):
      guard depth < Self.maxDepth else { throw JSONSyntaxError(offset: index) }
      try skipContainer(&index, close: UInt8(ascii: "}"), depth: depth, isObject: true)
      return JSONValue(kind: .object, start: start, end: index)
    case UInt8(ascii: "["):
      guard depth < Self.maxDepth else { throw JSONSyntaxError(offset: index) }
      try skipContainer(&index, close: UInt8(ascii: "]"), depth: depth, isObject: false)
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
    _ index: inout Int, close: UInt8, depth: Int, isObject: Bool
  ) throws(JSONSyntaxError) {
    index += 1
    skipWhitespace(&index)
    guard index < count else { throw JSONSyntaxError(offset: index) }
    if base[index] == close {
      index += 1
      return
    }
    while true {
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
      _ = try scanValue(&index, depth: depth + 1)
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
  private func scanString(_ index: inout Int) throws(JSONSyntaxError) -> JSONValue {
    let start = index + 1
    var searchFrom = start
    var hasEscapes = false
    while true {
      guard searchFrom < count,
        let found = memchr(base + searchFrom, 0x22, count - searchFrom)
      else { throw JSONSyntaxError(offset: count) }
      let quote = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
      var backslashes = 0
      while quote - backslashes - 1 >= start && base[quote - backslashes - 1] == 0x5C {
        backslashes += 1
      }
      if backslashes > 0 { hasEscapes = true }
      if backslashes % 2 == 0 {
        if !hasEscapes, memchr(base + start, 0x5C, quote - start) != nil { hasEscapes = true }
        index = quote + 1
        return JSONValue(kind: .string, start: start, end: quote, hasEscapes: hasEscapes)
      }
      searchFrom = quote + 1
    }
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
