/// The keys of the last record's members, in the order `JSONFieldExtractor` looked them up, with
/// the trie node each was looked up at and the child it led to.
///
/// The records of one export nearly always carry the same keys in the same order (Salesforce
/// writes every field of an event type, null or not, sorted). So the n-th key looked up in a
/// record is first compared, as raw bytes, with the n-th of the record before
/// (`JSONScanner.skipKey`): a match is that key's scan and lookup at once, with no quote search,
/// no hash and no probe of the extractor's table; a mismatch goes the usual way and takes the
/// entry's place. Only keys of at most 16 bytes without escapes are kept (two words and a
/// length say all their bytes).
///
/// One per `ParseContext`: the extractors are shared, immutable statics. An entry names nodes
/// of one extractor's trie, so the cache is emptied when another extractor uses it (the format
/// sniffer's, then the format's).
final class MemberKeyCache {
  struct Entry {
    var key = JSONKeyWords(head: 0, tail: 0, count: 0)
    /// The trie node the key was looked up at; -1 for an empty entry.
    var node = -1
    /// The child the key led to, or -1 for none.
    var child = -1
  }

  /// Keys kept per record: the members of a large audit record, and more.
  static let capacity = 128

  let entries: UnsafeMutablePointer<Entry>
  /// The extractor whose trie the entries name (its `JSONFieldExtractor.identity`).
  private var owner: AnyObject?

  init() {
    entries = .allocate(capacity: Self.capacity)
    entries.initialize(repeating: Entry(), count: Self.capacity)
  }

  deinit {
    entries.deallocate()
  }

  /// Empties the cache unless its entries are `extractor`'s.
  @inline(__always)
  func use(for identity: AnyObject) {
    guard owner !== identity else { return }
    owner = identity
    entries.update(repeating: Entry(), count: Self.capacity)
  }
}
