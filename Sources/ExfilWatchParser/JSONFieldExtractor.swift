import Glibc

/// Pulls the fields a format needs out of a JSON record in one pass, by path.
///
/// The paths (`["actor", "alternateId"]`, `["target", "0", "type"]`) are compiled into a trie;
/// scanning the record visits each member once, descends only into objects and arrays that lead
/// to a wanted field, and skips (while validating) everything else. Values are located, not
/// copied; strings with escapes are decoded into the record's scratch buffer.
struct JSONFieldExtractor {
  private struct Node {
    var keys: [[UInt8]] = []
    var children: [Int] = []
    /// The field index this node's value is stored under, if a path ends here.
    var field: Int?
  }

  private var nodes: [Node] = [Node()]
  let fieldCount: Int
  private let ignoresCase: Bool

  /// - Parameters:
  ///   - paths: one path per field; a component that is a number indexes an array.
  ///   - ignoresCase: compare keys ignoring ASCII case (Salesforce ELF's lower-case JSON).
  init(paths: [[String]], ignoresCase: Bool = false) {
    fieldCount = paths.count
    self.ignoresCase = ignoresCase
    for (field, path) in paths.enumerated() {
      var node = 0
      for component in path {
        let key = Array((ignoresCase ? component.lowercased() : component).utf8)
        if let existing = nodes[node].keys.firstIndex(of: key) {
          node = nodes[node].children[existing]
        } else {
          nodes.append(Node())
          nodes[node].keys.append(key)
          nodes[node].children.append(nodes.count - 1)
          node = nodes.count - 1
        }
      }
      nodes[node].field = field
    }
  }

  /// Fills `values[field]` for every field found in `record` (others are left nil).
  ///
  /// - Throws: `RejectReason.badJSON` when the record is not one valid JSON object,
  ///   `.invalidUTF8` for a wanted string with an invalid escape.
  func extract(
    from scanner: JSONScanner, root: JSONValue, scratch: DecodeScratch,
    into values: inout [FieldValue?]
  ) throws(RejectReason) {
    for index in values.indices { values[index] = nil }
    guard root.kind == .object else { throw .badJSON }
    do {
      try visit(root, node: 0, scanner: scanner, scratch: scratch, values: &values)
    } catch let error as RejectReason {
      throw error
    } catch {
      throw .badJSON
    }
  }

  private func visit(
    _ value: JSONValue, node: Int, scanner: JSONScanner, scratch: DecodeScratch,
    values: inout [FieldValue?]
  ) throws {
    if let field = nodes[node].field {
      values[field] = try fieldValue(value, scanner: scanner, scratch: scratch)
    }
    guard !nodes[node].keys.isEmpty else { return }
    switch value.kind {
    case .object:
      try scanner.forEachMember(of: value) { key, member throws(JSONSyntaxError) in
        guard let child = self.child(of: node, key: scanner.bytes(of: key)) else { return }
        do {
          try self.visit(member, node: child, scanner: scanner, scratch: scratch, values: &values)
        } catch let error as JSONSyntaxError {
          throw error
        } catch {
          throw JSONSyntaxError(offset: -1)
        }
      }
    case .array:
      var position = 0
      try scanner.forEachElement(of: value) { element throws(JSONSyntaxError) in
        defer { position += 1 }
        var digits = Array(String(position).utf8)
        guard let child = digits.withUnsafeMutableBytes({ self.child(of: node, key: UnsafeRawBufferPointer($0)) })
        else { return }
        do {
          try self.visit(element, node: child, scanner: scanner, scratch: scratch, values: &values)
        } catch let error as JSONSyntaxError {
          throw error
        } catch {
          throw JSONSyntaxError(offset: -1)
        }
      }
    default:
      return
    }
  }

  private func child(of node: Int, key: UnsafeRawBufferPointer) -> Int? {
    let keys = nodes[node].keys
    for (index, candidate) in keys.enumerated() where candidate.count == key.count {
      let matches = candidate.withUnsafeBytes { wanted in
        ignoresCase
          ? zip(wanted, key).allSatisfy { $0 == asciiLowercase($1) }
          : memcmp(wanted.baseAddress!, key.baseAddress!, key.count) == 0
      }
      if matches { return nodes[node].children[index] }
    }
    return nil
  }

  private func fieldValue(
    _ value: JSONValue, scanner: JSONScanner, scratch: DecodeScratch
  ) throws(RejectReason) -> FieldValue {
    let raw = scanner.bytes(of: value)
    let kind: FieldValue.Kind
    switch value.kind {
    case .string:
      guard value.hasEscapes else { return FieldValue(kind: .string, text: raw) }
      guard let decoded = scratch.decode(raw) else { throw .badJSON }
      return FieldValue(kind: .string, text: decoded)
    case .number: kind = .number
    case .bool: kind = .bool
    case .null: kind = .null
    case .object: kind = .object
    case .array: kind = .array
    }
    return FieldValue(kind: kind, text: raw)
  }
}
