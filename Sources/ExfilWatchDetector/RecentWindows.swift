/// The records of a key's last `capacity` judged windows, oldest first, kept in the key's
/// state itself: every active key records a window at every hop, and an array there cost an
/// allocation per key and a shift of the series per hop. Saved as a plain list.
struct RecentWindows: Codable {
  static let capacity = 12
  private var values = InlineArray<12, Int64>(repeating: 0)
  /// Where the oldest value is, and how many are held.
  private var start = 0
  private(set) var count = 0

  init() {}

  /// Adds the newest value, forgetting the oldest when full.
  mutating func append(_ value: Int64) {
    if count < Self.capacity {
      values[(start + count) % Self.capacity] = value
      count += 1
    } else {
      values[start] = value
      start = (start + 1) % Self.capacity
    }
  }

  mutating func removeAll() {
    start = 0
    count = 0
  }

  var elements: [Int64] { (0..<count).map { values[(start + $0) % Self.capacity] } }

  init(from decoder: any Decoder) throws {
    self.init()
    for value in try decoder.singleValueContainer().decode([Int64].self).suffix(Self.capacity) { append(value) }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(elements)
  }
}
