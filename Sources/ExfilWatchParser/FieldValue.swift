import Glibc
import ExfilWatchEvent

/// A field of a record, from JSON or CSV, as the format parsers see it.
///
/// `text` is the decoded string for strings (CSV fields are always strings) and the literal
/// bytes for numbers and booleans; it points into the record or the decode scratch and is valid
/// while the record is being parsed.
struct FieldValue {
  enum Kind: UInt8 {
    case string, number, bool, null, object, array
  }

  var kind: Kind
  var text: UnsafeRawBufferPointer

  /// The text, unless the value is null, empty, an object or an array.
  var nonEmptyText: UnsafeRawBufferPointer? {
    switch kind {
    case .string, .number, .bool: return text.isEmpty ? nil : text
    case .null, .object, .array: return nil
    }
  }

  /// Whether the text equals `literal` exactly.
  func equals(_ literal: StaticString) -> Bool {
    sameBytes(text, literal.bytes)
  }

  /// Whether the text equals `literal`, ignoring ASCII case.
  func equalsIgnoringCase(_ literal: StaticString) -> Bool {
    equalIgnoringASCIICase(text, literal.bytes)
  }

  /// Whether the text contains `literal`.
  func contains(_ literal: StaticString) -> Bool {
    let needle = literal.bytes
    guard needle.count <= text.count else { return false }
    return (0...(text.count - needle.count)).contains { start in
      sameBytes(UnsafeRawBufferPointer(rebasing: text[start..<start + needle.count]), needle)
    }
  }
}

extension StaticString {
  /// The literal's UTF-8 bytes (static, so valid for as long as the program runs).
  var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}

@inline(__always)
func asciiLowercase(_ byte: UInt8) -> UInt8 {
  byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
}

/// Whether `a` and `b` hold the same bytes: compared byte by byte in line, where
/// `Sequence.elementsEqual` over raw buffers was a generic call of some 60 instructions (telling
/// an sf-rtem event's type takes two or three).
@inline(__always)
func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
  guard a.count == b.count else { return false }
  for index in 0..<a.count where a[index] != b[index] { return false }
  return true
}

/// Whether `a` and `b` hold the same bytes once ASCII letters are lowercased.
///
/// Bytes that are equal (nearly all) cost one comparison; only two that differ are tested for
/// being one letter in two cases (they differ in bit 0x20 alone, and are a letter with it
/// set), which is what lowercasing both and comparing tells. Both lowercased first, telling
/// an ELF row's event type and API method (`query`, twice) was some 300 instructions of an
/// event.
@inline(__always)
func equalIgnoringASCIICase(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
  guard a.count == b.count else { return false }
  for index in 0..<a.count {
    let byte = a[index]
    let other = b[index]
    if byte != other {
      guard byte ^ other == 0x20, (byte | 0x20) &- UInt8(ascii: "a") < 26 else { return false }
    }
  }
  return true
}

/// A row count or byte count: a JSON number, or a string of digits (Salesforce ELF writes every
/// number as a string), possibly with a fraction (`1000364.0`), which is dropped.
///
/// - Returns: nil when the value is absent (null, missing or empty).
/// - Throws: `RejectReason.wrongType` for a negative or non-numeric value, or an object/array.
func count(_ value: FieldValue?) throws(RejectReason) -> Int64? {
  guard let value else { return nil }
  switch value.kind {
  case .null: return nil
  case .object, .array, .bool: throw .wrongType
  case .string where value.text.isEmpty: return nil
  case .string, .number: break
  }
  guard let parsed = parseCount(value.text, allowExponent: value.kind == .number) else {
    throw .wrongType
  }
  return parsed
}

/// The first present count among the candidates (not variadic: no array per call).
func firstCount(_ first: FieldValue?, _ second: FieldValue?, _ third: FieldValue? = nil) throws(RejectReason) -> Int64? {
  if let value = try count(first) { return value }
  if let value = try count(second) { return value }
  return try count(third)
}

extension Optional where Wrapped == FieldValue {
  /// This field if it holds text, else `fallback`: "`A`, else `B`" in Formats.md, without
  /// building an array per call.
  func or(_ fallback: FieldValue?) -> FieldValue? {
    self?.nonEmptyText != nil ? self : fallback
  }

  /// Whether the field is there and not null.
  var isPresent: Bool {
    guard let self else { return false }
    return self.kind != .null
  }
}

/// Parses `digits[.digits]` (or, for a JSON number, its exponent form) into a non-negative
/// integer.
func parseCount(_ text: UnsafeRawBufferPointer, allowExponent: Bool) -> Int64? {
  var result: Int64 = 0
  var index = 0
  while index < text.count, text[index] &- UInt8(ascii: "0") < 10 {
    let (product, multiplyOverflow) = result.multipliedReportingOverflow(by: 10)
    let (sum, addOverflow) = product.addingReportingOverflow(Int64(text[index] - UInt8(ascii: "0")))
    guard !multiplyOverflow && !addOverflow else { return nil }
    result = sum
    index += 1
  }
  guard index > 0 else { return nil }
  if index == text.count { return result }
  if text[index] == UInt8(ascii: ".") {
    index += 1
    let fractionStart = index
    while index < text.count, text[index] &- UInt8(ascii: "0") < 10 { index += 1 }
    if index == text.count && index > fractionStart { return result }
  }
  // Exponent forms of JSON numbers (`1.2e5`) are rare: hand them to the C library.
  guard allowExponent else { return nil }
  var buffer = [CChar](repeating: 0, count: text.count + 1)
  for (offset, byte) in text.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
  return buffer.withUnsafeBufferPointer { pointer -> Int64? in
    var end: UnsafeMutablePointer<CChar>?
    let value = strtod(pointer.baseAddress!, &end)
    guard let end, end - UnsafeMutablePointer(mutating: pointer.baseAddress!) == text.count,
      value >= 0, value < 9.2e18
    else { return nil }
    return Int64(value)
  }
}

/// An event time from a field: a string in any accepted layout, or epoch seconds/milliseconds
/// as a number or a digit string.
func eventTime(_ value: FieldValue?) throws(RejectReason) -> Int64 {
  guard let value, let text = value.nonEmptyText else {
    if let value, value.kind == .object || value.kind == .array { throw .wrongType }
    throw .missingTime
  }
  if let time = Timestamp.parse(text) { return time }
  // A JSON number in a form the text layouts do not cover (`1.751276467E9`).
  if value.kind == .number, let seconds = Double(String(decoding: text, as: UTF8.self)),
    let time = Timestamp.fromEpoch(seconds)
  {
    return time
  }
  throw .badTime
}

extension FieldValue {
  /// Whether the text starts with `literal`.
  func hasPrefix(_ literal: StaticString) -> Bool {
    let needle = literal.bytes
    return text.count >= needle.count && sameBytes(UnsafeRawBufferPointer(rebasing: text.prefix(needle.count)), needle)
  }

  /// Whether the text ends with `literal`.
  func hasSuffix(_ literal: StaticString) -> Bool {
    let needle = literal.bytes
    return text.count >= needle.count && sameBytes(UnsafeRawBufferPointer(rebasing: text.suffix(needle.count)), needle)
  }
}
