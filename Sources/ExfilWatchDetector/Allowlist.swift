import ExfilWatchEvent
import Glibc

/// Keys an organisation has decided about: a nightly ETL account, an integration's client
/// app, a backup network. A key matched by an entry is never flagged, or is flagged only past
/// the entry's own thresholds.
///
/// The keys are still tracked and still learn: a matched key's reads count in its peers'
/// levels, and removing the entry later judges the key against a baseline it already has.
/// The allowlist is not part of the saved configuration: changing it never invalidates a
/// state file.
public struct Allowlist: Sendable, Equatable {
  public var entries: [Entry]

  public init(entries: [Entry] = []) {
    self.entries = entries
  }

  public struct Entry: Sendable, Equatable {
    /// The event field the entry is about: a key matches when its dimension has the field
    /// and the key's value for it matches (`actor` matches `actor` and `actor+object` keys);
    /// `tenant` matches every key of the tenant (the org is part of every key).
    public var field: EventField
    public var match: Match
    /// Replacements for the horizons' thresholds; nil: the key is never flagged.
    public var thresholds: ThresholdOverrides?
    /// Why (for people reading the config).
    public var reason: String?

    public init(field: EventField, match: Match, thresholds: ThresholdOverrides? = nil, reason: String? = nil) {
      self.field = field
      self.match = match
      self.thresholds = thresholds
      self.reason = reason
    }
  }

  public enum Match: Sendable, Equatable {
    /// The value exactly, ignoring case (user names are e-mail addresses).
    case value(String)
    /// A source IP address inside a network.
    case network(IPNetwork)

    func matches(_ text: String) -> Bool {
      switch self {
      case .value(let value): value.lowercased() == text.lowercased()
      case .network(let network): network.contains(text)
      }
    }
  }

  /// What an entry changes in a matched key's judging.
  public struct ThresholdOverrides: Sendable, Equatable {
    public var score: Double?
    public var recordFloor: Int64?
    public var readFloor: Int64?
    public var multiple: Double?

    public init(score: Double? = nil, recordFloor: Int64? = nil, readFloor: Int64? = nil, multiple: Double? = nil) {
      self.score = score
      self.recordFloor = recordFloor
      self.readFloor = readFloor
      self.multiple = multiple
    }

    func applied(to thresholds: Thresholds) -> Thresholds {
      var changed = thresholds
      changed.score = score ?? thresholds.score
      changed.recordFloor = recordFloor ?? thresholds.recordFloor
      changed.readFloor = readFloor ?? thresholds.readFloor
      changed.multiple = multiple ?? thresholds.multiple
      return changed
    }
  }

  /// The first entry matching the key whose dimension is `dimension`, whose values are
  /// `values` (texts, in the dimension's field order) and whose tenant is `tenant`, or nil.
  func entry(dimension: Dimension, values: [String?], tenant: String?) -> Int? {
    entries.indices.first { index in
      let entry = entries[index]
      if entry.field == .tenant, let tenant, entry.match.matches(tenant) { return true }
      return zip(dimension.fields, values).contains { field, value in
        field == entry.field && value.map(entry.match.matches) == true
      }
    }
  }

  /// Entries no key of `dimensions` can match (an `object:` entry when no dimension has the
  /// object), to be said once: they would silently do nothing.
  public func unmatchable(by dimensions: [Dimension]) -> [Entry] {
    entries.filter { entry in entry.field != .tenant && !dimensions.contains { $0.fields.contains(entry.field) } }
  }
}

/// An IPv4 or IPv6 network in CIDR notation: `10.20.0.0/16`, `2001:db8::/32`; an address
/// alone is a network of one.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
  private let address: [UInt8]
  private let prefixLength: Int
  public let description: String

  /// nil for text that is not an address with an optional prefix length that fits it.
  public init?(parsing text: String) {
    let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    guard let address = Self.bytes(of: String(parts[0])) else { return nil }
    let length = parts.count == 2 ? Int(parts[1]) : address.count * 8
    guard let length, (0...address.count * 8).contains(length) else { return nil }
    self.address = address
    prefixLength = length
    description = text
  }

  /// Whether `text` is an address inside the network (of the same family).
  public func contains(_ text: String) -> Bool {
    guard let other = Self.bytes(of: text), other.count == address.count else { return false }
    var left = prefixLength
    for (mine, theirs) in zip(address, other) where left > 0 {
      let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
      if mine & mask != theirs & mask { return false }
      left -= 8
    }
    return true
  }

  private static func bytes(of text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    return nil
  }
}
