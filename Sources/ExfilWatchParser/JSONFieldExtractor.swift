import ExfilWatchEvent
import Glibc

/// Pulls the fields a format needs out of a JSON record in one pass, by path.
///
/// The paths (`["actor", "alternateId"]`, `["target", "0", "type"]`) are compiled into a trie
/// held in flat arrays; scanning the record visits each member once, finds the member's key in
/// the trie by a hash of its bytes in one open-addressed table (a match confirmed by comparing
/// the key's words, `JSONKeyWords`), descends only into objects and arrays that lead to a wanted
/// field, and skips everything else. The same pass validates the whole record (`JSONScanner`),
/// so a record is read once. Values are located, not copied; strings with escapes are decoded
/// into the record's scratch buffer.
struct JSONFieldExtractor {
  private struct Node {
    /// This node's children in `entries`.
    var entries: Range<Int> = 0..<0
    /// The field stored at this node, or -1.
    var field = -1
  }

  private struct Entry {
    /// The node whose child this entry is.
    var parent: Int
    var key: JSONKeyWords
    /// Where the key's bytes are in `keyBytes` (compared for keys over 16 bytes).
    var keyStart: Int
    /// The array position this entry matches, or -1 for an object key.
    var arrayIndex: Int
    var child: Int
  }

  private var nodes: [Node] = []
  /// Fields asked for by the same path as an earlier field: (earlier field, this field).
  private var aliases: [(source: Int, copy: Int)] = []
  private var entries: [Entry] = []
  private var keyBytes: [UInt8] = []
  /// The object-key entries by hash of (parent node, key), open addressing with linear
  /// probing, -1 for an empty slot. A record has a few dozen members and a format asks for up
  /// to 80 paths: a scan of the parent's entries per member was a third of the parse time.
  private var table: [Int32] = []
  private var tableMask = 0
  let fieldCount: Int
  private let ignoresCase: Bool
  /// Names this extractor's trie to a `MemberKeyCache`.
  private final class Identity: Sendable {}
  private let identity = Identity()

  /// - Parameters:
  ///   - paths: one path per field; a component made of digits indexes an array.
  ///   - ignoresCase: compare keys ignoring ASCII case (Salesforce ELF's lower-case JSON).
  init(paths: [[String]], ignoresCase: Bool = false) {
    fieldCount = paths.count
    self.ignoresCase = ignoresCase
    // Build a nested trie first, then lay it out flat, children of a node contiguous.
    final class Builder {
      var children: [(component: String, node: Builder)] = []
      var field = -1
    }
    let root = Builder()
    for (field, path) in paths.enumerated() where !path.isEmpty {
      var node = root
      for component in path {
        let key = ignoresCase ? component.lowercased() : component
        if let existing = node.children.first(where: { $0.component == key }) {
          node = existing.node
        } else {
          let child = Builder()
          node.children.append((key, child))
          node = child
        }
      }
      if node.field >= 0 {
        aliases.append((node.field, field))
      } else {
        node.field = field
      }
    }
    var queue: [Builder] = [root]
    nodes.append(Node(field: root.field))
    var next = 0
    while next < queue.count {
      let builder = queue[next]
      let first = entries.count
      for (component, child) in builder.children {
        let bytes = Array(component.utf8)
        let arrayIndex = component.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int(component) ?? -1 : -1
        let key = bytes.withUnsafeBytes { JSONKeyWords($0, readable: $0.count, ignoresCase: ignoresCase) }
        entries.append(Entry(
          parent: next, key: key, keyStart: keyBytes.count, arrayIndex: arrayIndex, child: queue.count))
        keyBytes.append(contentsOf: bytes)
        queue.append(child)
        nodes.append(Node(field: child.field))
      }
      nodes[next].entries = first..<entries.count
      next += 1
    }
    var size = 16
    while size < entries.count * 4 { size *= 2 }
    table = Array(repeating: -1, count: size)
    tableMask = size - 1
    // Every entry, digits too: `attrs.0` may name an object's member "0" as well as an
    // array's first element.
    for (index, entry) in entries.enumerated() {
      var slot = Self.slot(hash: entry.key.hash, parent: entry.parent, mask: tableMask)
      while table[slot] >= 0 { slot = (slot + 1) & tableMask }
      table[slot] = Int32(index)
    }
  }

  @inline(__always)
  private static func slot(hash: UInt64, parent: Int, mask: Int) -> Int {
    Int(truncatingIfNeeded: (hash ^ UInt64(parent) &* 0xFF51_AFD7_ED55_8CCD) >> 40) & mask
  }

  /// Fills `values[field]` for every field found in `record` (others are set to nil), in the
  /// same pass that validates the record.
  ///
  /// - Throws: `RejectReason.tooManyFields` when the record has more than `maxFields` members
  ///   and elements in all, `RejectReason.badJSON` when it is not one valid JSON object or a
  ///   wanted string has an invalid escape. Whichever of the first two the scan meets first
  ///   wins; an invalid escape only counts once the whole record is known to be valid JSON.
  func extract(
    from record: UnsafeRawBufferPointer, maxFields: Int, scratch: DecodeScratch,
    keys: MemberKeyCache, into values: inout [FieldValue?]
  ) throws(RejectReason) {
    keys.use(for: identity)
    try values.withUnsafeMutableBufferPointer { values throws(RejectReason) in
      for index in values.indices { values[index] = nil }
      var walk = Walk(
        scanner: JSONScanner(record, maxFields: maxFields), scratch: scratch, values: values,
        keys: keys.entries)
      let isObject: Bool
      do throws(JSONSyntaxError) {
        walk.scanner.skipWhitespace()
        isObject = walk.scanner.nextByte == UInt8(ascii: "{")
        if isObject {
          try visit(node: 0, &walk)
        } else {
          _ = try walk.scanner.skipValue()
        }
        try walk.scanner.expectEnd()
      } catch {
        throw error.tooManyFields ? .tooManyFields : .badJSON
      }
      guard isObject && !walk.hasInvalidEscape else { throw .badJSON }
      for alias in aliases {
        values[alias.copy] = values[alias.source]
      }
    }
  }

  /// One record's extraction in progress.
  private struct Walk {
    var scanner: JSONScanner
    let scratch: DecodeScratch
    /// The values being filled, one per field: written through the buffer, with no check of
    /// the array's uniqueness per field.
    let values: UnsafeMutableBufferPointer<FieldValue?>
    /// A wanted string had an invalid escape: the record is bad, but only said so once the
    /// scan is through (a later syntax error or too many fields must win, as they would in
    /// a validation before the extraction).
    var hasInvalidEscape = false
    /// The last record's keys (`MemberKeyCache`), and how many keys of this record were
    /// looked up so far.
    let keys: UnsafeMutablePointer<MemberKeyCache.Entry>
    var keysLookedUp = 0

    init(
      scanner: JSONScanner, scratch: DecodeScratch, values: UnsafeMutableBufferPointer<FieldValue?>,
      keys: UnsafeMutablePointer<MemberKeyCache.Entry>
    ) {
      self.scanner = scanner
      self.scratch = scratch
      self.values = values
      self.keys = keys
    }
  }

  /// Walks the value at the scanner's position, which is at trie node `node`: into it when
  /// some wanted field lies below, else skipping it.
  ///
  /// In line where a member's key is matched: most wanted fields are leaves (a payload's
  /// strings and numbers), skipped and stored here, with no call; only a container that leads
  /// to wanted fields is walked by a call (`walk(node:entries:_:)`).
  @inline(__always)
  private func visit(node: Int, _ walk: inout Walk) throws(JSONSyntaxError) {
    let info = nodes[node]
    let value = info.entries.isEmpty
      ? try walk.scanner.nextValue() : try self.walk(node: node, entries: info.entries, &walk)
    if info.field >= 0 {
      if let field = fieldValue(value, scanner: walk.scanner, scratch: walk.scratch) {
        walk.values[info.field] = field
      } else {
        walk.hasInvalidEscape = true
      }
    }
  }

  /// Walks the object or array at the scanner's position, node `node` with children `entries`,
  /// visiting the members and elements that lead to wanted fields and skipping the others;
  /// any other value is skipped.
  private func walk(node: Int, entries nodeEntries: Range<Int>, _ walk: inout Walk) throws(JSONSyntaxError) -> JSONValue {
    let start = walk.scanner.index
    switch walk.scanner.nextByte {
    case UInt8(ascii: "{"):
      var object = try walk.scanner.enterContainer()
      while true {
        let child: Int
        // The last record's key at this place, as a compact member: nearly every member.
        let place = walk.keysLookedUp
        if place < MemberKeyCache.capacity, case let last = walk.keys[place], last.node == node,
          try walk.scanner.skipCompactMember(key: last.key)
        {
          walk.keysLookedUp = place &+ 1
          child = last.child
        } else {
          guard try walk.scanner.nextKey(&object) else { break }
          child = try memberChild(of: node, &walk)
          try walk.scanner.skipColon()
        }
        if child >= 0 {
          try visit(node: child, &walk)
        } else {
          _ = try walk.scanner.nextValue()
        }
      }
      return JSONValue(kind: .object, start: start, end: walk.scanner.index)
    case UInt8(ascii: "["):
      var array = try walk.scanner.enterContainer()
      var position = 0
      while try walk.scanner.nextElement(&array) {
        if let entry = entries[nodeEntries].first(where: { $0.arrayIndex == position }) {
          try visit(node: entry.child, &walk)
        } else {
          _ = try walk.scanner.skipValue()
        }
        position += 1
      }
      return JSONValue(kind: .array, start: start, end: walk.scanner.index)
    default:
      return try walk.scanner.skipValue()
    }
  }

  /// Reads the key at the scanner's position (its opening quote) and returns the child of
  /// `node` it leads to, or -1: the last record's key at this place when the bytes are the same
  /// (`MemberKeyCache`), else scanned and looked up, and kept for the next record. Not in line:
  /// `walk` reads compact members with the last record's keys itself.
  @inline(never)
  private func memberChild(of node: Int, _ walk: inout Walk) throws(JSONSyntaxError) -> Int {
    let place = walk.keysLookedUp
    walk.keysLookedUp &+= 1
    let isKept = place < MemberKeyCache.capacity
    if isKept {
      let last = walk.keys[place]
      if last.node == node && walk.scanner.skipKey(last.key) { return last.child }
    }
    let key = try walk.scanner.scanKey()
    let bytes = walk.scanner.bytes(of: key)
    let readable = walk.scanner.count - key.start
    let found = child(of: node, key: bytes, readable: readable) ?? -1
    if isKept && bytes.count <= 16 && !key.hasEscapes {
      walk.keys[place] = MemberKeyCache.Entry(
        key: JSONKeyWords(bytes, readable: readable, ignoresCase: false), node: node, child: found)
    }
    return found
  }

  @inline(__always)
  private func child(of node: Int, key: UnsafeRawBufferPointer, readable: Int) -> Int? {
    let words = JSONKeyWords(key, readable: readable, ignoresCase: ignoresCase)
    var slot = Self.slot(hash: words.hash, parent: node, mask: tableMask)
    while true {
      let index = Int(table[slot])
      guard index >= 0 else { return nil }
      let entry = entries[index]
      if entry.key == words && entry.parent == node && (key.count <= 16 || longKey(of: entry, matches: key)) {
        return entry.child
      }
      slot = (slot + 1) & tableMask
    }
  }

  /// Whether a key over 16 bytes, whose words match `entry`'s, matches it byte for byte.
  private func longKey(of entry: Entry, matches key: UnsafeRawBufferPointer) -> Bool {
    keyBytes.withUnsafeBytes { all in
      let wanted = UnsafeRawBufferPointer(rebasing: all[entry.keyStart..<entry.keyStart + key.count])
      return ignoresCase
        ? zip(wanted, key).allSatisfy { $0 == asciiLowercase($1) }
        : memcmp(wanted.baseAddress!, key.baseAddress!, key.count) == 0
    }
  }

  @inline(__always)
  private func fieldValue(
    _ value: JSONValue, scanner: JSONScanner, scratch: DecodeScratch
  ) -> FieldValue? {
    let raw = scanner.bytes(of: value)
    let kind: FieldValue.Kind
    switch value.kind {
    case .string:
      guard value.hasEscapes else { return FieldValue(kind: .string, text: raw) }
      return scratch.decode(raw).map { FieldValue(kind: .string, text: $0) }
    case .number: kind = .number
    case .bool: kind = .bool
    case .null: kind = .null
    case .object: kind = .object
    case .array: kind = .array
    }
    return FieldValue(kind: kind, text: raw)
  }
}

/// The fields a JSON format reads: one case per field, each at a path in the record.
protocol JSONFields: CaseIterable, RawRepresentable where RawValue == Int {
  var path: [String] { get }
}

/// One record's values of a format's fields, looked up by field.
struct ExtractedFields<Field: RawRepresentable> where Field.RawValue == Int {
  let values: [FieldValue?]

  subscript(_ field: Field) -> FieldValue? { values[field.rawValue] }
}

extension JSONFieldExtractor {
  /// An extractor of all of `fields`' paths.
  init<Fields: JSONFields>(_ fields: Fields.Type, ignoresCase: Bool = false) {
    self.init(paths: Fields.allCases.map(\.path), ignoresCase: ignoresCase)
  }
}

extension ParseContext {
  /// Validates `record` and returns the values of `Field`'s fields.
  func fields<Field>(
    of record: UnsafeRawBufferPointer, with extractor: JSONFieldExtractor, as _: Field.Type
  ) throws(RejectReason) -> ExtractedFields<Field> {
    try extract(record, with: extractor)
    return ExtractedFields(values: values)
  }
}
