/// A JSON text checked and laid out as a flat list of its values, for `StateJSONDecoder`.
///
/// One pass over the bytes validates them and records, for each value in document order, its
/// kind, where its text is and where the next value after it (its subtree skipped) is listed: a
/// container's members are then found by hopping over whole values. An object's children
/// alternate between a member's key and its value.
struct StateJSONTape {
  enum Kind: UInt8 {
    case object, array, string, number, `true`, `false`, null
  }

  struct Node {
    var kind: Kind
    /// For strings, whether a backslash escape occurs.
    var hasEscapes = false
    /// The text: for strings, between the quotes; for containers, from the opening bracket.
    var start: Int
    var end: Int
    /// The index of the node after this value and everything in it.
    var next: Int
    /// Members (objects) or elements (arrays).
    var count = 0
  }

  private(set) var nodes: [Node] = []
  let text: UnsafeRawBufferPointer
  private var index = 0
  /// Deep enough for any state; shallow enough that damaged text cannot exhaust the stack.
  static let maxDepth = 128

  /// The tape of `text`, which must be one JSON value (whitespace around it allowed).
  init(_ text: UnsafeRawBufferPointer) throws(StateJSONError) {
    self.text = text
    skipWhitespace()
    try value(depth: 0)
    skipWhitespace()
    guard index == text.count else { throw StateJSONError("text after the value", at: index) }
  }

  private var byte: UInt8? { index < text.count ? text[index] : nil }

  private mutating func skipWhitespace() {
    while let byte, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
  }

  private mutating func value(depth: Int) throws(StateJSONError) {
    guard depth < Self.maxDepth else { throw StateJSONError("nested too deeply", at: index) }
    switch byte ?? 0 {
    case UInt8(ascii: "{"): try container(.object, closing: UInt8(ascii: "}"), depth: depth)
    case UInt8(ascii: "["): try container(.array, closing: UInt8(ascii: "]"), depth: depth)
    case UInt8(ascii: "\""): try string()
    case UInt8(ascii: "t"): try literal("true", .true)
    case UInt8(ascii: "f"): try literal("false", .false)
    case UInt8(ascii: "n"): try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
    default: throw StateJSONError("no JSON value", at: index)
    }
  }

  private mutating func container(_ kind: Kind, closing: UInt8, depth: Int) throws(StateJSONError) {
    let at = nodes.count
    nodes.append(Node(kind: kind, start: index, end: index, next: 0))
    index += 1
    skipWhitespace()
    var count = 0
    if byte == closing {
      index += 1
    } else {
      while true {
        if kind == .object {
          guard byte == UInt8(ascii: "\"") else { throw StateJSONError("no member name", at: index) }
          try string()
          skipWhitespace()
          guard byte == UInt8(ascii: ":") else { throw StateJSONError("no colon after a member name", at: index) }
          index += 1
          skipWhitespace()
        }
        try value(depth: depth + 1)
        count += 1
        skipWhitespace()
        if byte == UInt8(ascii: ",") {
          index += 1
          skipWhitespace()
        } else if byte == closing {
          index += 1
          break
        } else {
          throw StateJSONError("no comma or closing bracket", at: index)
        }
      }
    }
    nodes[at].end = index
    nodes[at].next = nodes.count
    nodes[at].count = count
  }

  private mutating func string() throws(StateJSONError) {
    let start = index + 1
    var escapes = false
    var nonASCII = false
    index = start
    while true {
      guard let byte else { throw StateJSONError("unterminated string", at: start - 1) }
      if byte == UInt8(ascii: "\"") { break }
      if byte < 0x20 { throw StateJSONError("control character in a string", at: index) }
      if byte >= 0x80 { nonASCII = true }
      if byte == UInt8(ascii: "\\") {
        escapes = true
        index += 1
        switch self.byte {
        case UInt8(ascii: "u"):
          guard index + 4 < text.count, (1...4).allSatisfy({ text[index + $0].isHexDigit }) else {
            throw StateJSONError("bad \\u escape", at: index - 1)
          }
          index += 4
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
          UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
          break
        default: throw StateJSONError("bad escape", at: index - 1)
        }
      }
      index += 1
    }
    // (Escapes are ASCII: the bytes as they stand must be UTF-8, as JSON text is.)
    if nonASCII, String(validating: UnsafeRawBufferPointer(rebasing: text[start..<index]), as: UTF8.self) == nil {
      throw StateJSONError("a string not UTF-8", at: start - 1)
    }
    nodes.append(Node(kind: .string, hasEscapes: escapes, start: start, end: index, next: nodes.count + 1))
    index += 1
  }

  private mutating func literal(_ word: StaticString, _ kind: Kind) throws(StateJSONError) {
    let start = index
    let length = word.utf8CodeUnitCount
    guard start + length <= text.count, (0..<length).allSatisfy({ text[start + $0] == word.utf8Start[$0] }) else {
      throw StateJSONError("no JSON value", at: start)
    }
    index += length
    nodes.append(Node(kind: kind, start: start, end: index, next: nodes.count + 1))
  }

  private mutating func number() throws(StateJSONError) {
    let start = index
    func digits(_ tape: inout StateJSONTape) -> Int {
      let first = tape.index
      while let byte = tape.byte, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { tape.index += 1 }
      return tape.index - first
    }
    if byte == UInt8(ascii: "-") { index += 1 }
    let leadingZero = byte == UInt8(ascii: "0")
    let integerDigits = digits(&self)
    guard integerDigits > 0, !leadingZero || integerDigits == 1 else { throw StateJSONError("bad number", at: start) }
    if byte == UInt8(ascii: ".") {
      index += 1
      guard digits(&self) > 0 else { throw StateJSONError("bad number", at: start) }
    }
    if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
      index += 1
      if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { index += 1 }
      guard digits(&self) > 0 else { throw StateJSONError("bad number", at: start) }
    }
    nodes.append(Node(kind: .number, start: start, end: index, next: nodes.count + 1))
  }
}

/// Text that is not JSON, or not the JSON a decoded type expects: what and where.
struct StateJSONError: Error, CustomStringConvertible {
  var description: String

  init(_ problem: String, at offset: Int) {
    description = "\(problem) at byte \(offset)"
  }
}

extension UInt8 {
  fileprivate var isHexDigit: Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
      || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self | 0x20)
  }
}
