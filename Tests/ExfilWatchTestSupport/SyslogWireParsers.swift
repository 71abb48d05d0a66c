import Foundation

/// A wire message that does not follow the grammar the test holds it to.
public struct WireParseError: Error, CustomStringConvertible {
  public var problem: String
  public var offset: Int

  public var description: String { "\(problem) at byte \(offset)" }
}

/// An RFC 5424 message read back the way a strict receiver reads it, written for the tests
/// from the RFC's ABNF alone (not from the encoder), so the two can disagree.
public struct ParsedSyslogMessage {
  public var priority: Int
  public var timestamp: String
  public var hostname: String
  public var appName: String
  public var processID: String
  public var messageID: String
  /// The SD-ID of the one element, nil for `-`.
  public var structuredDataID: String?
  /// PARAM-VALUEs unescaped, by PARAM-NAME.
  public var parameters: [String: String]
  /// PARAM-VALUEs as they are on the wire, between the quotes.
  public var rawParameters: [String: String]
  public var message: [UInt8]?

  /// Parses one message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [SP MSG]`.
  /// PARAM-VALUEs must escape `"`, `\` and `]` (an unescaped `]` is an error), the header
  /// fields must be printable ASCII within the RFC's lengths, and at most one SD-ELEMENT is
  /// accepted.
  public init(_ bytes: [UInt8]) throws {
    var reader = ByteReader(bytes: bytes)
    try reader.expect("<")
    let digits = reader.take { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    guard (1...3).contains(digits.count), let priority = Int(String(decoding: digits, as: UTF8.self)),
      priority <= 191
    else { throw reader.error("bad PRI") }
    self.priority = priority
    try reader.expect(">1 ")
    timestamp = try reader.headerField(maximumLength: 32)
    hostname = try reader.headerField(maximumLength: 255)
    appName = try reader.headerField(maximumLength: 48)
    processID = try reader.headerField(maximumLength: 128)
    messageID = try reader.headerField(maximumLength: 32)
    parameters = [:]
    rawParameters = [:]
    if reader.peek == UInt8(ascii: "-") {
      reader.offset += 1
    } else {
      try reader.expect("[")
      structuredDataID = try reader.name()
      while reader.peek == UInt8(ascii: " ") {
        reader.offset += 1
        let name = try reader.name()
        try reader.expect("=\"")
        let (raw, value) = try reader.parameterValue()
        guard parameters[name] == nil else { throw reader.error("PARAM-NAME \(name) twice") }
        parameters[name] = value
        rawParameters[name] = raw
      }
      try reader.expect("]")
    }
    if reader.atEnd { return }
    try reader.expect(" ")
    message = Array(bytes[reader.offset...])
  }
}

private struct ByteReader {
  var bytes: [UInt8]
  var offset = 0

  var atEnd: Bool { offset == bytes.count }
  var peek: UInt8? { atEnd ? nil : bytes[offset] }

  func error(_ problem: String) -> WireParseError {
    WireParseError(problem: problem, offset: offset)
  }

  mutating func expect(_ text: String) throws {
    for byte in text.utf8 {
      guard peek == byte else { throw error("expected '\(text)'") }
      offset += 1
    }
  }

  mutating func take(while accepted: (UInt8) -> Bool) -> [UInt8] {
    let start = offset
    while let byte = peek, accepted(byte) { offset += 1 }
    return Array(bytes[start..<offset])
  }

  /// PRINTUSASCII up to a space, which is consumed.
  mutating func headerField(maximumLength: Int) throws -> String {
    let field = take { (33...126).contains($0) }
    guard (1...maximumLength).contains(field.count) else { throw error("header field of \(field.count) bytes") }
    try expect(" ")
    return String(decoding: field, as: UTF8.self)
  }

  /// SD-NAME: 1 to 32 printable ASCII characters other than `=`, space, `]` and `"`.
  mutating func name() throws -> String {
    let name = take { (33...126).contains($0) && !"=]\"".utf8.contains($0) }
    guard (1...32).contains(name.count) else { throw error("bad SD-NAME") }
    return String(decoding: name, as: UTF8.self)
  }

  /// Up to the closing quote, which is consumed: the raw text and the unescaped value.
  mutating func parameterValue() throws -> (raw: String, value: String) {
    let start = offset
    var value: [UInt8] = []
    while true {
      guard let byte = peek else { throw error("unterminated PARAM-VALUE") }
      offset += 1
      switch byte {
      case UInt8(ascii: "\""):
        guard let raw = String(validating: bytes[start..<offset - 1], as: UTF8.self),
          let text = String(validating: value, as: UTF8.self)
        else { throw error("PARAM-VALUE is not UTF-8") }
        return (raw, text)
      case UInt8(ascii: "]"):
        throw error("unescaped ']' in PARAM-VALUE")
      case UInt8(ascii: "\\") where peek.map({ "\"\\]".utf8.contains($0) }) == true:
        value.append(bytes[offset])
        offset += 1
      default:
        value.append(byte)
      }
    }
  }
}

/// A CEF line read back: the seven header fields and the extension, unescaped, parsed from the
/// CEF specification's rules alone.
public struct ParsedCEF {
  /// `CEF:0`, vendor, product, version, class id, name, severity.
  public var header: [String]
  public var extensions: [String: String]
  public var extensionKeys: [String]

  public init(_ line: String) throws {
    let characters = Array(line)
    var index = 0
    header = []
    var field = ""
    while header.count < 7 {
      guard index < characters.count else { throw WireParseError(problem: "short header", offset: index) }
      let character = characters[index]
      index += 1
      if character == "\\" {
        guard index < characters.count, "\\|".contains(characters[index]) else {
          throw WireParseError(problem: "bad escape in header", offset: index)
        }
        field.append(characters[index])
        index += 1
      } else if character == "|" {
        header.append(field)
        field = ""
      } else {
        field.append(character)
      }
    }
    (extensionKeys, extensions) = try Self.parseExtension(Array(characters[index...]))
  }

  /// `key=value key=value`: each unescaped `=` ends a key (the word before it); a value runs to
  /// the space before the next key.
  private static func parseExtension(_ characters: [Character]) throws -> ([String], [String: String]) {
    var equalSigns: [Int] = []
    var index = 0
    while index < characters.count {
      if characters[index] == "\\" { index += 1 } else if characters[index] == "=" { equalSigns.append(index) }
      index += 1
    }
    var keyStarts: [Int] = []
    for sign in equalSigns {
      var start = sign
      while start > 0, characters[start - 1].isLetter || characters[start - 1].isNumber { start -= 1 }
      guard start < sign, start == 0 || characters[start - 1] == " " else {
        throw WireParseError(problem: "no key before '='", offset: sign)
      }
      keyStarts.append(start)
    }
    var keys: [String] = []
    var values: [String: String] = [:]
    for (position, sign) in equalSigns.enumerated() {
      let key = String(characters[keyStarts[position]..<sign])
      let end = position + 1 < keyStarts.count ? keyStarts[position + 1] - 1 : characters.count
      guard values[key] == nil else { throw WireParseError(problem: "key \(key) twice", offset: sign) }
      keys.append(key)
      values[key] = try unescapeValue(characters[(sign + 1)..<end])
    }
    return (keys, values)
  }

  private static func unescapeValue(_ characters: ArraySlice<Character>) throws -> String {
    var value = ""
    var escaped = false
    for character in characters {
      if escaped {
        switch character {
        case "\\", "=": value.append(character)
        case "n": value.append("\n")
        case "r": value.append("\r")
        default: throw WireParseError(problem: "bad escape '\\\(character)' in extension", offset: 0)
        }
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else {
        value.append(character)
      }
    }
    return value
  }
}
