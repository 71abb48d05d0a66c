// The `Decoder` and its containers over a `StateJSONTape`: each is a node of the tape and the
// reader; the protocols' many `decode` overloads go through `StateScalarReading`. Their coding
// path is where their value starts in the text, so that an error a decoded type throws says
// where (`StateTextPosition`).

/// A coding path's first element: the byte of the text where a container's value starts.
struct StateTextPosition: CodingKey {
  var offset: Int
  var stringValue: String { "byte \(offset)" }
  var intValue: Int? { nil }

  init(_ offset: Int) {
    self.offset = offset
  }

  init?(stringValue: String) { nil }
  init?(intValue: Int) { nil }
}

/// The decoder of the value at `node`.
struct StateValueDecoder: Decoder {
  let tape: StateTapeReader
  let node: Int

  var codingPath: [any CodingKey] { [StateTextPosition(tape.node(node).start)] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    try tape.expect(.object, node)
    return KeyedDecodingContainer(StateKeyedDecodingContainer<Key>(tape: tape, node: node))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try tape.expect(.array, node)
    return StateUnkeyedDecodingContainer(tape: tape, node: node)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer {
    StateSingleValueDecodingContainer(tape: tape, node: node)
  }
}

/// Reading one node as each type the protocols name.
private protocol StateScalarReading {
  var tape: StateTapeReader { get }
}

extension StateScalarReading {
  func read(_ node: Int, _ type: Bool.Type) throws -> Bool { try tape.bool(node) }
  func read(_ node: Int, _ type: String.Type) throws -> String { try tape.string(node) }
  func readNumber<Number: BinaryFloatingPoint & LosslessStringConvertible>(
    _ node: Int, _ type: Number.Type
  ) throws -> Number {
    try tape.floatingPoint(node, as: type)
  }
  @inline(__always)
  func readInteger<Integer: FixedWidthInteger>(_ node: Int, _ type: Integer.Type) throws -> Integer {
    try tape.integer(node, as: type)
  }
  func readValue<Value: Decodable>(_ node: Int, _ type: Value.Type) throws -> Value {
    try Value(from: StateValueDecoder(tape: tape, node: node))
  }
  func isNull(_ node: Int) -> Bool { tape.node(node).kind == .null }
}

private struct StateKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol, StateScalarReading {
  let tape: StateTapeReader
  let node: Int
  var codingPath: [any CodingKey] { [StateTextPosition(tape.node(node).start)] }

  var allKeys: [Key] {
    tape.members(of: node).compactMap { (try? tape.string($0.name)).flatMap(Key.init(stringValue:)) }
  }

  func contains(_ key: Key) -> Bool { tape.member(key.stringValue, of: node) != nil }

  private func value(_ key: Key) throws -> Int {
    guard let value = tape.member(key.stringValue, of: node) else {
      throw DecodingError.keyNotFound(
        key,
        .init(codingPath: [], debugDescription: "no \"\(key.stringValue)\" in the object at byte \(tape.node(node).start)"))
    }
    return value
  }

  func decodeNil(forKey key: Key) throws -> Bool { isNull(try value(key)) }
  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try read(value(key), type) }
  func decode(_ type: String.Type, forKey key: Key) throws -> String { try read(value(key), type) }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try readNumber(value(key), type) }
  func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try readNumber(value(key), type) }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try readInteger(value(key), type) }
  func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try readInteger(value(key), type) }
  func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try readInteger(value(key), type) }
  func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try readInteger(value(key), type) }
  func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try readInteger(value(key), type) }
  func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try readInteger(value(key), type) }
  func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try readInteger(value(key), type) }
  func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try readInteger(value(key), type) }
  func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try readInteger(value(key), type) }
  func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try readInteger(value(key), type) }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try readValue(value(key), type) }

  func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type, forKey key: Key
  ) throws -> KeyedDecodingContainer<NestedKey> {
    try StateValueDecoder(tape: tape, node: value(key)).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try StateValueDecoder(tape: tape, node: value(key)).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    StateValueDecoder(tape: tape, node: try value(Key(stringValue: "super")!))
  }
  func superDecoder(forKey key: Key) throws -> any Decoder { StateValueDecoder(tape: tape, node: try value(key)) }
}

private struct StateUnkeyedDecodingContainer: UnkeyedDecodingContainer, StateScalarReading {
  let tape: StateTapeReader
  var codingPath: [any CodingKey] { [StateTextPosition(tape.node(node).start)] }
  /// The array's node.
  let node: Int
  let count: Int?
  private(set) var currentIndex = 0
  /// The node of the element at `currentIndex`.
  private var cursor: Int

  init(tape: StateTapeReader, node: Int) {
    self.tape = tape
    self.node = node
    count = tape.node(node).count
    cursor = node + 1
  }

  var isAtEnd: Bool { currentIndex == count }

  /// The current element's node, moving past it.
  private mutating func next() throws -> Int {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(
        Any.self, .init(codingPath: [], debugDescription: "no element \(currentIndex) in an array of \(count!)"))
    }
    defer {
      cursor = tape.node(cursor).next
      currentIndex += 1
    }
    return cursor
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd, isNull(cursor) else { return false }
    _ = try next()
    return true
  }

  mutating func decode(_ type: Bool.Type) throws -> Bool { try read(next(), type) }
  mutating func decode(_ type: String.Type) throws -> String { try read(next(), type) }
  mutating func decode(_ type: Double.Type) throws -> Double { try readNumber(next(), type) }
  mutating func decode(_ type: Float.Type) throws -> Float { try readNumber(next(), type) }
  mutating func decode(_ type: Int.Type) throws -> Int { try readInteger(next(), type) }
  mutating func decode(_ type: Int8.Type) throws -> Int8 { try readInteger(next(), type) }
  mutating func decode(_ type: Int16.Type) throws -> Int16 { try readInteger(next(), type) }
  mutating func decode(_ type: Int32.Type) throws -> Int32 { try readInteger(next(), type) }
  mutating func decode(_ type: Int64.Type) throws -> Int64 { try readInteger(next(), type) }
  mutating func decode(_ type: UInt.Type) throws -> UInt { try readInteger(next(), type) }
  mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try readInteger(next(), type) }
  mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try readInteger(next(), type) }
  mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try readInteger(next(), type) }
  mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try readInteger(next(), type) }
  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try readValue(next(), type) }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type
  ) throws -> KeyedDecodingContainer<NestedKey> {
    try StateValueDecoder(tape: tape, node: next()).container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try StateValueDecoder(tape: tape, node: next()).unkeyedContainer()
  }

  mutating func superDecoder() throws -> any Decoder { StateValueDecoder(tape: tape, node: try next()) }
}

private struct StateSingleValueDecodingContainer: SingleValueDecodingContainer, StateScalarReading {
  let tape: StateTapeReader
  let node: Int
  var codingPath: [any CodingKey] { [StateTextPosition(tape.node(node).start)] }

  func decodeNil() -> Bool { isNull(node) }
  func decode(_ type: Bool.Type) throws -> Bool { try read(node, type) }
  func decode(_ type: String.Type) throws -> String { try read(node, type) }
  func decode(_ type: Double.Type) throws -> Double { try readNumber(node, type) }
  func decode(_ type: Float.Type) throws -> Float { try readNumber(node, type) }
  func decode(_ type: Int.Type) throws -> Int { try readInteger(node, type) }
  func decode(_ type: Int8.Type) throws -> Int8 { try readInteger(node, type) }
  func decode(_ type: Int16.Type) throws -> Int16 { try readInteger(node, type) }
  func decode(_ type: Int32.Type) throws -> Int32 { try readInteger(node, type) }
  func decode(_ type: Int64.Type) throws -> Int64 { try readInteger(node, type) }
  func decode(_ type: UInt.Type) throws -> UInt { try readInteger(node, type) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try readInteger(node, type) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try readInteger(node, type) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try readInteger(node, type) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try readInteger(node, type) }
  func decode<T: Decodable>(_ type: T.Type) throws -> T { try readValue(node, type) }
}
