import ExfilWatchDetector
import ExfilWatchEvent
import Yams

/// `allowlist:` of the config file: keys that are never alerted on, or only past their own
/// thresholds.
///
/// ```yaml
/// allowlist:
///   - actor: etl.nightly@acme.example      # never alerted on
///     reason: nightly export to the warehouse
///   - client: Data Loader                  # alerted on only past these
///     record_floor: 2000000
///     read_floor: 50000
///   - source_ip: 10.20.0.0/16              # a network (CIDR) or one address
/// ```
enum AllowlistEntry {
  static let thresholdKeys = ["score", "record_floor", "read_floor", "multiple"]

  static func allowlist(_ node: Node, reader: inout ConfigurationReader) -> Allowlist {
    guard let items = node.sequence else {
      reader.problem("expected a list of entries (lines starting with '- ')", at: node, path: "allowlist")
      return Allowlist()
    }
    var allowlist = Allowlist()
    for (index, item) in items.enumerated() {
      if let entry = entry(item, path: "allowlist[\(index)]", reader: &reader) { allowlist.entries.append(entry) }
    }
    return allowlist
  }

  private static func entry(_ node: Node, path: String, reader: inout ConfigurationReader) -> Allowlist.Entry? {
    let fields = EventField.allCases.map(\.rawValue)
    guard let entries = reader.mapping(node, path: path, known: fields + thresholdKeys + ["reason"]) else { return nil }
    let named = fields.filter { entries[$0] != nil }
    guard named.count == 1, let name = named.first, let field = EventField(rawValue: name), let valueNode = entries[name] else {
      reader.problem("an entry names exactly one of: \(fields.joined(separator: ", "))", at: node, path: path)
      return nil
    }
    guard let text = reader.string(valueNode, path: "\(path).\(name)") else { return nil }
    let match: Allowlist.Match
    if field == .sourceIP {
      guard let network = IPNetwork(parsing: text) else {
        reader.problem("expected an IP address or a network such as 10.20.0.0/16", at: valueNode, path: "\(path).\(name)")
        return nil
      }
      match = .network(network)
    } else {
      guard !text.isEmpty else {
        reader.problem("expected a value", at: valueNode, path: "\(path).\(name)")
        return nil
      }
      match = .value(text)
    }
    var overrides: Allowlist.ThresholdOverrides?
    if thresholdKeys.contains(where: { entries[$0] != nil }) {
      var thresholds = Allowlist.ThresholdOverrides()
      if let node = entries["score"] { thresholds.score = reader.number(node, path: "\(path).score", within: 0...1_000) }
      if let node = entries["multiple"] { thresholds.multiple = reader.number(node, path: "\(path).multiple", within: 0...1e9) }
      if let node = entries["record_floor"] {
        thresholds.recordFloor = reader.integer(node, path: "\(path).record_floor", within: 0...Int.max).map(Int64.init)
      }
      if let node = entries["read_floor"] {
        thresholds.readFloor = reader.integer(node, path: "\(path).read_floor", within: 0...Int.max).map(Int64.init)
      }
      overrides = thresholds
    }
    let reason = entries["reason"].flatMap { reader.string($0, path: "\(path).reason") }
    return Allowlist.Entry(field: field, match: match, thresholds: overrides, reason: reason)
  }
}
