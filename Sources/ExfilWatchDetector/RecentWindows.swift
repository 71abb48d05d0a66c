/// The records of a key's last `capacity` hops' windows, oldest first (zeros for hops its
/// window was empty). A key with reads records a window at every hop: once full, the series
/// is a ring (the oldest overwritten in place, not shifted out). An idle key holds no storage.
/// Saved as a plain list.
struct RecentWindows: Codable {
  static let capacity = 12
  private var values: [Int64] = []
  /// Where the oldest value is once `values` is full.
  private var start: UInt8 = 0

  init() {}

  /// Adds the newest value, forgetting the oldest when full.
  mutating func append(_ value: Int64) {
    if values.count < Self.capacity {
      if values.isEmpty { values.reserveCapacity(Self.capacity) }
      values.append(value)
    } else {
      values[Int(start)] = value
      start = (start + 1) % UInt8(Self.capacity)
    }
  }

  /// Forgets the series and its storage.
  mutating func removeAll() {
    values = []
    start = 0
  }

  var elements: [Int64] { values.indices.map { values[(Int(start) + $0) % values.count] } }

  init(from decoder: any Decoder) throws {
    self.init()
    for value in try decoder.singleValueContainer().decode([Int64].self).suffix(Self.capacity) { append(value) }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(elements)
  }
}
