import ExfilWatchEvent

/// A JSON document built in code and written as compact UTF-8 with its members in the order
/// they were written down, so the same value always gives the same bytes (no hash ordering, no
/// locale, no platform number formatting).
///
/// An object literal may hold `nil` members: they are left out, which is how optional OCSF
/// attributes are omitted rather than written as `null`.
enum JSONValue: Sendable {
  case string(String)
  case integer(Int64)
  /// Written in Swift's shortest round-trip form, always with a `.` or an exponent so that
  /// readers that type numbers by their literal (Elixir, Python) see a float; a non-finite
  /// value, which JSON cannot hold, is written as `null`.
  case number(Double)
  case bool(Bool)
  case null
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  /// The compact encoding, without a trailing newline.
  var bytes: [UInt8] {
    var output: [UInt8] = []
    write(to: &output)
    return output
  }

  func write(to output: inout [UInt8]) {
    switch self {
    case .string(let text):
      JSONText.appendString(text, to: &output)
    case .integer(let value):
      output.append(contentsOf: String(value).utf8)
    case .number(let value):
      output.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
    case .bool(let value):
      output.append(contentsOf: (value ? "true" : "false").utf8)
    case .null:
      output.append(contentsOf: "null".utf8)
    case .array(let elements):
      output.append(UInt8(ascii: "["))
      for (index, element) in elements.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        element.write(to: &output)
      }
      output.append(UInt8(ascii: "]"))
    case .object(let members):
      output.append(UInt8(ascii: "{"))
      for (index, member) in members.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        JSONText.appendString(member.key, to: &output)
        output.append(UInt8(ascii: ":"))
        member.value.write(to: &output)
      }
      output.append(UInt8(ascii: "}"))
    }
  }

}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  init(stringLiteral value: String) { self = .string(value) }
  init(integerLiteral value: Int64) { self = .integer(value) }
  init(booleanLiteral value: Bool) { self = .bool(value) }
  init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

  /// Members whose value is `nil` are omitted.
  init(dictionaryLiteral members: (String, JSONValue?)...) {
    self = .object(members.compactMap { key, value in value.map { (key: key, value: $0) } })
  }
}
