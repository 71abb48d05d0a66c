import ExfilWatchEvent

/// Writes an `Encodable` value as compact JSON text straight into a byte array: the saved
/// detector state's coder (`Detector.encodedState`).
///
/// Foundation's `JSONEncoder` first builds a tree of every value, then writes the tree out; at
/// 100,000 busy keys (700 MB of state) that took 25 s per commit of a `scan` whose input took
/// 20 s to read. This coder writes each value as it is handed over, so it allocates little
/// beyond the bytes it writes: 11 s. It writes what `StateJSONDecoder` (and Foundation's
/// `JSONDecoder`, which read the states saved before) reads back as the same values: object
/// members in the order they were encoded, infinities and NaN as the strings `+inf`, `-inf`
/// and `nan`.
///
/// A value's containers are written as they are used, so its children must be written before
/// its next member is (as every `encode(to:)` in the state does); a value that writes nothing
/// is an empty object, as with `JSONEncoder`; two keyed containers taken from one encoder
/// write into one object (`SavedHorizon` relies on it). Super encoders are not supported:
/// nothing in the state uses them. Coding paths are not kept: nothing here reads them, and
/// keeping them would be an allocation per value.
struct StateJSONEncoder {
  static func encode<Value: Encodable>(_ value: Value, appendingTo bytes: inout [UInt8]) throws {
    let writer = JSONTextWriter(bytes: bytes)
    bytes = []  // so that the writer's copy is the only one, and grows in place
    defer { bytes = writer.finish() }
    try writer.write(value, depth: 0)
  }
}

/// The text written so far and the containers still open.
final class JSONTextWriter {
  // (Used by one thread, and nothing it calls re-enters it: unchecked, as a begin and end
  // access per byte appended was a fifth of the time.)
  @exclusivity(unchecked) private var bytes: [UInt8]
  /// Per open container, outermost first: its closing bracket, with `hasItems` set once an
  /// item is in it. A container at depth `d` is `open[d]`.
  @exclusivity(unchecked) private var open: [UInt8] = []
  private static let hasItems: UInt8 = 0x80

  init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  func finish() -> [UInt8] {
    close(downTo: 0)
    return bytes
  }

  /// Writes a whole value whose containers open at `depth` (an empty object if it writes
  /// nothing).
  func write<Value: Encodable>(_ value: Value, depth: Int) throws {
    let start = bytes.count
    try value.encode(to: StateValueEncoder(writer: self, depth: depth))
    if bytes.count == start { bytes += [UInt8(ascii: "{"), UInt8(ascii: "}")] }
  }

  /// Closes the containers of values that are finished: every one opened deeper than `depth`.
  private func close(downTo depth: Int) {
    while open.count > depth { bytes.append(open.removeLast() & ~Self.hasItems) }
  }

  /// Opens the container of the value at `depth`, or goes on with it if the value opened it
  /// already (a second keyed container from one encoder).
  func openContainer(_ opening: UInt8, depth: Int) {
    close(downTo: depth + 1)
    let closing = opening == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
    if open.count == depth + 1 {
      precondition(open[depth] & ~Self.hasItems == closing, "a keyed and an unkeyed container from one encoder")
      return
    }
    precondition(open.count == depth, "a container of a value already finished")
    bytes.append(opening)
    open.append(closing)
  }

  /// Starts the next item of the container at `depth`: closes what the last one left open
  /// and writes the comma and, in an object, the key.
  func startItem(depth: Int, key: (some CodingKey)?) {
    close(downTo: depth + 1)
    precondition(open.count == depth + 1, "an item for a container already closed")
    if open[depth] & Self.hasItems != 0 { bytes.append(UInt8(ascii: ",")) }
    open[depth] |= Self.hasItems
    if let key {
      writeString(key.stringValue)
      bytes.append(UInt8(ascii: ":"))
    }
  }

  // MARK: - Scalars

  func writeNull() { bytes += [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")] }

  func writeBool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }

  func writeInteger(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    writeInteger(value.magnitude)
  }

  func writeInteger(_ value: UInt64) {
    // Digits from the last, into a buffer big enough for any 64-bit value.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var magnitude = value
      var first = 20
      repeat {
        first -= 1
        digits[first] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
        magnitude /= 10
      } while magnitude != 0
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[first...]))
    }
  }

  /// Finite numbers as Swift prints them (the shortest text that reads back as the same
  /// value); the others as the strings `DetectorStateFormat.floats` names.
  func writeFloatingPoint(_ value: some BinaryFloatingPoint & LosslessStringConvertible) {
    let floats = DetectorStateFormat.floats
    if value.isNaN { return writeString(floats.nan) }
    if value.isInfinite { return writeString(value < 0 ? floats.negativeInfinity : floats.positiveInfinity) }
    bytes.append(contentsOf: value.description.utf8)
  }

  func writeString(_ value: String) { JSONText.appendString(value, to: &bytes) }
}

/// The encoder of one value, whose containers open at `depth`.
private struct StateValueEncoder: Encoder {
  let writer: JSONTextWriter
  let depth: Int

  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    writer.openContainer(UInt8(ascii: "{"), depth: depth)
    return KeyedEncodingContainer(StateKeyedContainer<Key>(writer: writer, depth: depth))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    writer.openContainer(UInt8(ascii: "["), depth: depth)
    return StateUnkeyedContainer(writer: writer, depth: depth)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    StateSingleValueContainer(writer: writer, depth: depth)
  }
}

/// The scalar writes every container shares, each after `startItem` (none for a single
/// value): one implementation of the many `encode` overloads the protocols require.
private protocol StateScalarWriting {
  var writer: JSONTextWriter { get }
  /// The depth of the value written next.
  var valueDepth: Int { get }
}

extension StateScalarWriting {
  func scalarNull() { writer.writeNull() }
  func scalar(_ value: Bool) { writer.writeBool(value) }
  func scalar(_ value: String) { writer.writeString(value) }
  func scalar(_ value: some SignedInteger) { writer.writeInteger(Int64(value)) }
  func scalar(_ value: some UnsignedInteger) { writer.writeInteger(UInt64(value)) }
  func scalar(_ value: some BinaryFloatingPoint & LosslessStringConvertible) { writer.writeFloatingPoint(value) }
  func value<Value: Encodable>(_ value: Value) throws { try writer.write(value, depth: valueDepth) }
}

private struct StateKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol, StateScalarWriting {
  let writer: JSONTextWriter
  let depth: Int
  var valueDepth: Int { depth + 1 }
  var codingPath: [any CodingKey] { [] }

  private func key(_ key: Key) { writer.startItem(depth: depth, key: key) }

  mutating func encodeNil(forKey key: Key) throws { self.key(key); scalarNull() }
  mutating func encode(_ value: Bool, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: String, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: Double, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: Float, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: Int, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: Int8, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: Int16, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: Int32, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: Int64, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: UInt, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: UInt8, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: UInt16, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: UInt32, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode(_ value: UInt64, forKey key: Key) throws { self.key(key); scalar(value) }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { self.key(key); try self.value(value) }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    self.key(key)
    return StateValueEncoder(writer: writer, depth: valueDepth).container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    self.key(key)
    return StateValueEncoder(writer: writer, depth: valueDepth).unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder { preconditionFailure("saved state uses no super encoders") }
  mutating func superEncoder(forKey key: Key) -> any Encoder {
    preconditionFailure("saved state uses no super encoders")
  }
}

private struct StateUnkeyedContainer: UnkeyedEncodingContainer, StateScalarWriting {
  let writer: JSONTextWriter
  let depth: Int
  var valueDepth: Int { depth + 1 }
  var codingPath: [any CodingKey] { [] }
  private(set) var count = 0

  init(writer: JSONTextWriter, depth: Int) {
    self.writer = writer
    self.depth = depth
  }

  private mutating func item() {
    writer.startItem(depth: depth, key: Optional<StateIndexKey>.none)
    count += 1
  }

  mutating func encodeNil() throws { item(); scalarNull() }
  mutating func encode(_ value: Bool) throws { item(); scalar(value) }
  mutating func encode(_ value: String) throws { item(); scalar(value) }
  mutating func encode(_ value: Double) throws { item(); scalar(value) }
  mutating func encode(_ value: Float) throws { item(); scalar(value) }
  mutating func encode(_ value: Int) throws { item(); scalar(value) }
  mutating func encode(_ value: Int8) throws { item(); scalar(value) }
  mutating func encode(_ value: Int16) throws { item(); scalar(value) }
  mutating func encode(_ value: Int32) throws { item(); scalar(value) }
  mutating func encode(_ value: Int64) throws { item(); scalar(value) }
  mutating func encode(_ value: UInt) throws { item(); scalar(value) }
  mutating func encode(_ value: UInt8) throws { item(); scalar(value) }
  mutating func encode(_ value: UInt16) throws { item(); scalar(value) }
  mutating func encode(_ value: UInt32) throws { item(); scalar(value) }
  mutating func encode(_ value: UInt64) throws { item(); scalar(value) }
  mutating func encode<T: Encodable>(_ value: T) throws { item(); try self.value(value) }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type
  ) -> KeyedEncodingContainer<NestedKey> {
    item()
    return StateValueEncoder(writer: writer, depth: valueDepth).container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    item()
    return StateValueEncoder(writer: writer, depth: valueDepth).unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder { preconditionFailure("saved state uses no super encoders") }
}

/// An array item has no key.
private struct StateIndexKey: CodingKey {
  var stringValue: String { "" }
  var intValue: Int? { nil }
  init?(stringValue: String) { nil }
  init?(intValue: Int) { nil }
}

/// One value, written where it stands: in its parent's container, after the key or comma.
private struct StateSingleValueContainer: SingleValueEncodingContainer, StateScalarWriting {
  let writer: JSONTextWriter
  let depth: Int
  var valueDepth: Int { depth }
  var codingPath: [any CodingKey] { [] }

  mutating func encodeNil() throws { scalarNull() }
  mutating func encode(_ value: Bool) throws { scalar(value) }
  mutating func encode(_ value: String) throws { scalar(value) }
  mutating func encode(_ value: Double) throws { scalar(value) }
  mutating func encode(_ value: Float) throws { scalar(value) }
  mutating func encode(_ value: Int) throws { scalar(value) }
  mutating func encode(_ value: Int8) throws { scalar(value) }
  mutating func encode(_ value: Int16) throws { scalar(value) }
  mutating func encode(_ value: Int32) throws { scalar(value) }
  mutating func encode(_ value: Int64) throws { scalar(value) }
  mutating func encode(_ value: UInt) throws { scalar(value) }
  mutating func encode(_ value: UInt8) throws { scalar(value) }
  mutating func encode(_ value: UInt16) throws { scalar(value) }
  mutating func encode(_ value: UInt32) throws { scalar(value) }
  mutating func encode(_ value: UInt64) throws { scalar(value) }
  mutating func encode<T: Encodable>(_ value: T) throws { try self.value(value) }
}
