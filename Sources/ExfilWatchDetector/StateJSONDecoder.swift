import ExfilWatchEvent

/// Reads a `Decodable` value from JSON text: the saved detector state's decoder, the other
/// half of `StateJSONEncoder`.
///
/// Foundation's `JSONDecoder` took some 30 s to read the 700 MB of a 100,000-actor state at
/// the start of every `scan`. This one lays the text out once (`StateJSONTape`) and decodes
/// from that: a member is found by comparing its name with the few of its object, a number is
/// read from its digits. It reads what `JSONDecoder` read as `DetectorStateFormat` set it up
/// (infinities and NaN as the strings `+inf`, `-inf` and `nan`), and refuses what is not JSON.
/// A container's coding path is the byte its value starts at, so that errors, its own and those
/// the decoded types throw, say where.
struct StateJSONDecoder {
  static func decode<Value: Decodable>(_ type: Value.Type, from text: UnsafeRawBufferPointer) throws -> Value {
    let tape = try StateJSONTape(text)
    return try Value(from: StateValueDecoder(tape: StateTapeReader(tape), node: 0))
  }
}

/// The tape and what decoders ask of its nodes.
///
/// The nodes are in memory of its own: every container and value decoder holds the reader, and
/// reaching them through an array was a retain and release per node read.
final class StateTapeReader {
  let tape: (text: UnsafeRawBufferPointer, nodes: UnsafeMutableBufferPointer<StateJSONTape.Node>)

  init(_ tape: StateJSONTape) {
    let nodes = UnsafeMutableBufferPointer<StateJSONTape.Node>.allocate(capacity: tape.nodes.count)
    _ = nodes.initialize(from: tape.nodes)
    self.tape = (tape.text, nodes)
  }

  deinit { tape.nodes.deallocate() }

  func node(_ index: Int) -> StateJSONTape.Node { tape.nodes[index] }

  func mismatch(_ node: Int, expected: String) -> DecodingError {
    let found = tape.nodes[node]
    return .typeMismatch(
      Any.self,
      .init(codingPath: [], debugDescription: "expected \(expected), found \(found.kind) at byte \(found.start)"))
  }

  /// The nodes of the members' values of the object at `object`, with their names' nodes.
  func members(of object: Int) -> some Sequence<(name: Int, value: Int)> {
    let count = tape.nodes[object].count
    return sequence(state: (object + 1, 0)) { state -> (name: Int, value: Int)? in
      guard state.1 < count else { return nil }
      let member = (name: state.0, value: state.0 + 1)
      state = (self.tape.nodes[member.value].next, state.1 + 1)
      return member
    }
  }

  /// The value of the member named `name`, if the object has one.
  func member(_ name: String, of object: Int) -> Int? {
    var name = name
    return name.withUTF8 { wanted in
      for member in members(of: object) where nameEquals(member.name, wanted) { return member.value }
      return nil
    }
  }

  private func nameEquals(_ node: Int, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
    let found = tape.nodes[node]
    guard !found.hasEscapes else { return (try? string(node))?.utf8.elementsEqual(wanted) ?? false }
    guard found.end - found.start == wanted.count else { return false }
    return UnsafeRawBufferPointer(rebasing: tape.text[found.start..<found.end]).elementsEqual(wanted)
  }

  func string(_ index: Int) throws -> String {
    let node = tape.nodes[index]
    guard node.kind == .string else { throw mismatch(index, expected: "a string") }
    let text = UnsafeRawBufferPointer(rebasing: tape.text[node.start..<node.end])
    let decoded: String?
    if node.hasEscapes {
      // (The tape checked the escapes' form.)
      let scratch = DecodeScratch(capacity: text.count)
      decoded = withExtendedLifetime(scratch) { scratch.decode(text).flatMap { String(validating: $0, as: UTF8.self) } }
    } else {
      decoded = String(validating: text, as: UTF8.self)
    }
    guard let decoded else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: [], debugDescription: "a string not UTF-8 at byte \(node.start)"))
    }
    return decoded
  }

  @inline(__always)  // (else left generic, a witness call per digit)
  func integer<Integer: FixedWidthInteger>(_ index: Int, as type: Integer.Type) throws -> Integer {
    let node = tape.nodes[index]
    guard node.kind == .number else { throw mismatch(index, expected: "an integer") }
    var position = node.start
    let negative = tape.text[position] == UInt8(ascii: "-")
    if negative { position += 1 }
    var value: Integer = 0
    while position < node.end {
      let digit = tape.text[position] &- UInt8(ascii: "0")
      guard digit < 10 else { throw outOfRange(index, type) }
      let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
      let (next, overflow2) = negative
        ? times10.subtractingReportingOverflow(Integer(digit)) : times10.addingReportingOverflow(Integer(digit))
      guard !overflow, !overflow2 else { throw outOfRange(index, type) }
      value = next
      position += 1
    }
    return value
  }

  private func outOfRange(_ index: Int, _ type: Any.Type) -> DecodingError {
    let node = tape.nodes[index]
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: tape.text[node.start..<node.end]), as: UTF8.self)
    return .dataCorrupted(.init(codingPath: [], debugDescription: "\(text) at byte \(node.start) is not a \(type)"))
  }

  func floatingPoint<Number: BinaryFloatingPoint & LosslessStringConvertible>(
    _ index: Int, as type: Number.Type
  ) throws -> Number {
    let node = tape.nodes[index]
    if node.kind == .string {
      let floats = DetectorStateFormat.floats
      switch try string(index) {
      case floats.positiveInfinity: return .infinity
      case floats.negativeInfinity: return -.infinity
      case floats.nan: return .nan
      default: throw mismatch(index, expected: "a number")
      }
    }
    guard node.kind == .number else { throw mismatch(index, expected: "a number") }
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: tape.text[node.start..<node.end]), as: UTF8.self)
    guard let value = Number(text), value.isFinite else { throw outOfRange(index, type) }
    return value
  }

  func bool(_ index: Int) throws -> Bool {
    switch tape.nodes[index].kind {
    case .true: return true
    case .false: return false
    default: throw mismatch(index, expected: "true or false")
    }
  }

  func expect(_ kind: StateJSONTape.Kind, _ index: Int) throws {
    guard tape.nodes[index].kind == kind else { throw mismatch(index, expected: "\(kind)") }
  }
}
