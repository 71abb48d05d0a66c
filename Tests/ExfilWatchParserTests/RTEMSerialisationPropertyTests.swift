import Foundation
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchTestSupport
import PropertyBased
import Testing

/// The same ApiEvents written with random key order, whitespace and string escapes must parse
/// to the same events: the scanner may depend on nothing but JSON's meaning.
@Suite("sf-rtem serialisation does not matter")
struct RTEMSerialisationPropertyTests {
  @Test("random key order, whitespace and escapes")
  func randomSerialisation() async {
    await propertyCheck(count: 60, input: Gen.uint64(), Gen.int(in: 1...20)) { seed, chunkSize in
      var random = SeededGenerator(seed: seed)
      let records = (0..<12).map { makeApiEvent(index: $0, random: &random) }
      let plain = records.map { serialise($0, random: nil) }.joined(separator: "\n") + "\n"
      let shuffled = records.map { serialise($0, random: &random) }.joined(separator: "\n") + "\n"
      let symbols = SymbolTable()
      let expected = try parseEvents(Array(plain.utf8), format: .fixed(.salesforceRTEM), symbols: symbols)
      let actual = try parseEvents(
        Array(shuffled.utf8), format: .fixed(.salesforceRTEM), symbols: symbols, chunkSize: chunkSize * 37)
      #expect(expected.rejects.isEmpty && actual.rejects.isEmpty)
      #expect(expected.events.count == records.count)
      // Byte offsets move with the serialisation; everything else must not.
      #expect(actual.events.map(\.withoutOffset) == expected.events.map(\.withoutOffset))
      #expect(symbols.string(actual.events[0].actor) == records[0].first { $0.key == "Username" }?.value.text)
    }
  }
}

extension AccessEvent {
  fileprivate var withoutOffset: AccessEvent {
    var event = self
    event.origin.offset = 0
    return event
  }
}

/// A JSON value of the test's records.
private enum Value {
  case string(String)
  case number(String)
  case null

  var text: String? {
    if case .string(let text) = self { return text }
    return nil
  }
}

private func makeApiEvent(index: Int, random: inout SeededGenerator) -> [(key: String, value: Value)] {
  let users = ["a.nguyen@example.com", "josé.núñez@example.com", "李.伟@example.com", "o'brien😀@example.com"]
  let pages = index % 3
  return [
    ("EventDate", .string("2025-06-30T09:4\(index % 10):0\(index % 6).1\(index % 10)3+0000")),
    ("EventIdentifier", .string("evt-\(random.next() % 1_000_000)")),
    ("Username", .string(users[Int(random.next() % UInt64(users.count))])),
    ("UserId", .string("005Hs00000Xw7V\(index)IAZ")),
    ("SourceIp", .string("198.51.100.\(random.next() % 200)")),
    ("Client", .string("DataLoaderPartnerUI/62.0.0")),
    ("ConnectedAppId", random.next() % 2 == 0 ? .null : .string("0H4Hs000007aoFMKAY")),
    ("Operation", .string(pages == 0 ? "Query" : "QueryMore")),
    ("QueriedEntities", .string("Contact")),
    ("Query", .string("SELECT Id, Name FROM Contact WHERE Name = 'O\"Brien \\ \(index % 2)'")),
    ("RowsProcessed", .number("\(2000 * (pages + 1)).0")),
    ("RowsReturned", .number("2000")),
    ("SessionKey", .string("s/\(index % 2)+k")),
    ("UserAgent", .string("python-requests/2.32.4")),
    ("attributes", .null),
  ]
}

/// Writes a record as JSON; with `random`, keys are shuffled, whitespace is sprinkled, and
/// string characters are escaped in every way JSON allows.
private func serialise(_ record: [(key: String, value: Value)], random: UnsafeMutablePointer<SeededGenerator>?) -> String {
  var members = record
  func space() -> String {
    guard let random else { return "" }
    return ["", " ", "\t", "  "][Int(random.pointee.next() % 4)]
  }
  if let random { members.shuffle(using: &random.pointee) }
  let body = members.map { member -> String in
    let value: String
    switch member.value {
    case .null: value = member.key == "attributes" ? "{\(space())\"type\"\(space()):\(space())\"ApiEvent\"}" : "null"
    case .number(let text): value = text
    case .string(let text): value = quote(text, random: random)
    }
    return "\(space())\(quote(member.key, random: nil))\(space()):\(space())\(value)\(space())"
  }
  return "{" + body.joined(separator: ",") + "}"
}

private func serialise(_ record: [(key: String, value: Value)], random: inout SeededGenerator) -> String {
  withUnsafeMutablePointer(to: &random) { serialise(record, random: $0) }
}

private func quote(_ text: String, random: UnsafeMutablePointer<SeededGenerator>?) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    let choice = random.map { Int($0.pointee.next() % 3) } ?? 0
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "/" where choice == 1: out += "\\/"
    default:
      if choice == 2 {
        if scalar.value > 0xFFFF {
          let value = scalar.value - 0x10000
          out += String(format: "\\u%04X\\u%04x", 0xD800 + (value >> 10), 0xDC00 + (value & 0x3FF))
        } else {
          out += String(format: "\\u%04x", scalar.value)
        }
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out + "\""
}
