@testable import ExfilWatchDetector
import ExfilWatchEvent
import Foundation
import Testing

/// The saved state's own JSON coders: what the writer writes, the reader reads back as the same
/// values, and it is the JSON Foundation's `JSONEncoder` writes; what Foundation wrote (states
/// saved before) the reader reads as Foundation's `JSONDecoder` did; and damaged text is an
/// error, not a crash.
/// See: issue 7 (a `scan` at 100,000 keys spent most of its time in Foundation's coders).
@Suite struct StateJSONCoderTests {
  static func written<Value: Encodable>(_ value: Value) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try StateJSONEncoder.encode(value, appendingTo: &bytes)
    return bytes
  }

  static func readBack<Value: Codable>(_ value: Value) throws -> Value {
    try read(Value.self, written(value))
  }

  static func read<Value: Decodable>(_ type: Value.Type, _ text: [UInt8]) throws -> Value {
    try text.withUnsafeBytes { try StateJSONDecoder.decode(type, from: $0) }
  }

  /// `text` read by Foundation's decoder, as states were read before.
  static func foundationRead<Value: Decodable>(_ type: Value.Type, _ text: [UInt8]) throws -> Value {
    let decoder = JSONDecoder()
    let floats = DetectorStateFormat.floats
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: floats.positiveInfinity, negativeInfinity: floats.negativeInfinity, nan: floats.nan)
    return try decoder.decode(type, from: Data(text))
  }

  /// Foundation's text of `value`, as the state was written before.
  static func foundationText<Value: Encodable>(_ value: Value) throws -> [UInt8] {
    let encoder = JSONEncoder()
    let floats = DetectorStateFormat.floats
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: floats.positiveInfinity, negativeInfinity: floats.negativeInfinity, nan: floats.nan)
    encoder.outputFormatting = .sortedKeys
    return Array(try encoder.encode(value))
  }

  /// `value` as Foundation writes it, parsed, with its members in a fixed order and the
  /// incidents' sets (written in hash order) sorted.
  static func canonicalText<Value: Encodable>(_ value: Value) throws -> String {
    try DetectorStateTests.canonical(Array(repeating: 0, count: 14) + foundationText(value))
  }

  /// Every part of a detector's state in the middle of an attack (an open incident, keys with
  /// buckets in every horizon, evicted keys' free slots), written by this writer and read
  /// back, is what it was, as Foundation writes both.
  @Test func aDetectorsStateReadsBackAsTheSameValues() throws {
    var configuration = DetectorStateTests.evictingConfiguration
    configuration.horizons[2].thresholds.multiple = .infinity
    let (factory, events) = DetectorStateTests.scenarioWithKeyFlood(seed: 2)
    let attack = try #require(events.lastIndex { $0.eventID?.description.hasPrefix("attack-") == true })
    let detector = Detector(configuration: configuration, symbols: factory.symbols)
    for event in events.prefix(attack) { detector.process(event) }
    #expect(detector.statistics.evictedKeys > 0)
    let snapshot = DetectorSnapshot(detector)
    #expect(!snapshot.incidents.isEmpty)
    #expect(try Self.canonicalText(Self.readBack(snapshot)) == Self.canonicalText(snapshot))
    var buckets = 0
    for index in detector.keys.indices {
      let key = detector.savedKey(at: index)
      buckets += key.horizons.compactMap(\.ring).map(\.buckets.count).reduce(0, +)
      #expect(try Self.foundationText(Self.readBack(key)) == Self.foundationText(key), "key slot \(index)")
      // As a state saved by an earlier version: Foundation's text, read by either reader.
      let earlier = try Self.foundationText(key)
      #expect(
        try Self.foundationText(Self.read(SavedKey.self, earlier))
          == Self.foundationText(Self.foundationRead(SavedKey.self, earlier)), "key slot \(index)")
    }
    #expect(buckets > 100)
    let earlier = try Self.foundationText(snapshot)
    #expect(
      try Self.canonicalText(Self.read(DetectorSnapshot.self, earlier))
        == Self.canonicalText(Self.foundationRead(DetectorSnapshot.self, earlier)))
  }

  /// Parsed as JSON, the text is Foundation's: the same members, in the same places.
  @Test func theTextIsFoundationsJSON() throws {
    let (factory, events) = DetectorStateTests.scenario(seed: 2)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(events.count / 2) { detector.process(event) }
    func parsed(_ bytes: [UInt8]) throws -> NSObject {
      try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSObject)
    }
    for index in detector.keys.indices.prefix(200) {
      let key = detector.savedKey(at: index)
      #expect(try parsed(Self.written(key)) == parsed(Self.foundationText(key)), "key slot \(index)")
    }
  }

  struct Scalars: Codable, Equatable {
    var text: String
    var signed: [Int64]
    var unsigned: [UInt64]
    var small: [Int8]
    var doubles: [Double]
    var floats: [Float]
    var flag: Bool
    var missing: Int?
    var present: Int?
  }

  @Test func scalarsReadBackExactly() throws {
    let value = Scalars(
      text: "quote \" backslash \\ slash / line\nfeed\r\ttab \u{0}\u{1F} é 漢 👍", signed: [0, -1, 42, .min, .max],
      unsigned: [0, 7, .max], small: [-128, 127], doubles: [0.1, -0.0, 1e300, 5e-324, -2.5, .infinity, -.infinity],
      floats: [0.1, 3.4028235e38, 1e-45, .infinity], flag: true, missing: nil, present: 3)
    let bytes = try Self.written(value)
    #expect(!bytes.contains(UInt8(ascii: "\n")), "no raw line feed: the state's lines are split at them")
    #expect(try Self.readBack(value) == value)
    #expect(!String(decoding: bytes, as: UTF8.self).contains("missing"), "nil is left out, as encodeIfPresent does")
    let nan = try Self.readBack([Double.nan, 1])
    #expect(nan[0].isNaN && nan[1] == 1)
    let foundation = try Self.foundationText(value)
    #expect(try Self.read(Scalars.self, foundation) == Self.foundationRead(Scalars.self, foundation))
    #expect(try Self.read([String].self, Array(#"["a\/b \u00e9\ud83d\udc4d \b\f"]"#.utf8)) == ["a/b é👍 \u{8}\u{C}"])
  }

  /// Text that is not JSON, or not what the type holds, is an error that says where; deep
  /// nesting is refused before it can exhaust the stack.
  @Test func damagedTextIsAnError() throws {
    let texts = [
      "", " ", "{", #"{"text":"a"#, #"{"text":"a\x"}"#, #"{"text":"\u12"}"#, "{\"text\":\"a\u{1}\"}", "[1,]", "[01]",
      "[1.]", "[-]", "[1e]", "tru", "nul", "[1] 2", #"{"a" 1}"#, #"{"a":1 "b":2}"#, "{1:2}",
      String(repeating: "[", count: 100_000),
    ]
    for text in texts {
      #expect(throws: (any Error).self, "\(text.prefix(40))") { try Self.read([String: [Int]].self, Array(text.utf8)) }
    }
    let mismatched: [(String, () throws -> Any)] = [
      ("too big for Int8", { try Self.read([Int8].self, Array("[128]".utf8)) }),
      ("negative unsigned", { try Self.read([UInt64].self, Array("[-1]".utf8)) }),
      ("past Int64", { try Self.read([Int64].self, Array("[9223372036854775808]".utf8)) }),
      ("fraction as integer", { try Self.read([Int].self, Array("[1.5]".utf8)) }),
      ("string as number", { try Self.read([Double].self, Array(#"["1"]"#.utf8)) }),
      ("beyond Float", { try Self.read([Float].self, Array("[1e39]".utf8)) }),
      ("not UTF-8", { try Self.read([String].self, [0x5B, 0x22, 0xFF, 0x22, 0x5D]) }),
      ("member missing", { try Self.read(Scalars.self, Array(#"{"text":"a"}"#.utf8)) }),
    ]
    for (name, read) in mismatched {
      #expect(throws: (any Error).self, "\(name)") { try read() }
    }
    #expect(try Self.read([Int64].self, Array("[-9223372036854775808, 0, 9223372036854775807]".utf8)) == [.min, 0, .max])
    // Not UTF-8 in a member no type reads: still not JSON.
    let unknownMember = Array(#"{"text":"a","#.utf8) + [0x22, 0xFF, 0x22] + Array(#":1}"#.utf8)
    #expect(throws: (any Error).self) { try Self.read([String: Int].self, unknownMember) }
  }

  /// Saved twice, with a restore in between, a state is the same bytes: an incident's sets of
  /// keys are written in order, not in their hash order.
  @Test func aStateIsSavedAsTheSameBytesAfterARestore() throws {
    let (factory, events) = DetectorStateTests.scenario(seed: 1)
    let detector = Detector(symbols: factory.symbols)
    var members = 0
    for event in events {
      detector.process(event)
      members = DetectorSnapshot(detector).incidents.map(\.members.count).max() ?? 0
      if members >= 3 { break }
    }
    #expect(members >= 3)
    let saved = try detector.encodedState()
    for _ in 0..<5 {
      let restored = try Detector(configuration: detector.configuration, symbols: factory.symbols, encodedState: saved)
      #expect(try restored.encodedState() == saved)
    }
  }

  /// A value that writes nothing, two keyed containers from one encoder, containers nested in
  /// each other and explicit nulls.
  struct Shapes: Encodable {
    struct Nothing: Encodable {
      func encode(to encoder: any Encoder) throws {}
    }
    struct TwoContainers: Encodable {
      enum First: String, CodingKey { case a }
      enum Second: String, CodingKey { case b }
      func encode(to encoder: any Encoder) throws {
        var first = encoder.container(keyedBy: First.self)
        try first.encode(1, forKey: .a)
        var second = encoder.container(keyedBy: Second.self)
        try second.encode([Nothing(), Nothing()], forKey: .b)
      }
    }
    enum Keys: String, CodingKey { case nothing, two, nested, list, null }
    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode(Nothing(), forKey: .nothing)
      try container.encode([TwoContainers(), TwoContainers()], forKey: .two)
      var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
      var list = nested.nestedUnkeyedContainer(forKey: .list)
      try list.encode("x")
      var inner = list.nestedUnkeyedContainer()
      try inner.encodeNil()
      try list.encode(2)
      try container.encodeNil(forKey: .null)
    }
  }

  @Test func containersAreWrittenInPlace() throws {
    let text = String(decoding: try Self.written(Shapes()), as: UTF8.self)
    #expect(text == #"{"nothing":{},"two":[{"a":1,"b":[{},{}]},{"a":1,"b":[{},{}]}],"nested":{"list":["x",[null],2]},"null":null}"#)
  }
}
