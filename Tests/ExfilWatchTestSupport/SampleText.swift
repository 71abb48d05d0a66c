/// Deterministic pseudo-random numbers (SplitMix64), so generated inputs are the same on every
/// run and a failure can be reproduced from its seed.
public struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64

  public init(seed: UInt64) {
    state = seed
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Audit-log-like JSON lines: varied enough that compressors produce many blocks and real
/// matches, deterministic for a seed.
public func sampleAuditLines(count: Int, seed: UInt64 = 1) -> [UInt8] {
  var random = SeededGenerator(seed: seed)
  let users = (0..<50).map { "agent\($0)@contact.example.com" }
  let entities = ["Contact", "Account", "Case", "Lead", "User"]
  var text = ""
  for index in 0..<count {
    let user = users[Int(random.next() % UInt64(users.count))]
    let entity = entities[Int(random.next() % UInt64(entities.count))]
    let rows = random.next() % 5000
    let ip = "203.0.113.\(random.next() % 255)"
    let second = index % 60
    text += #"{"EventDate":"2025-06-30T09:41:\#(second < 10 ? "0" : "")\#(second).123+0000","#
    text += #""Username":"\#(user)","SourceIp":"\#(ip)","QueriedEntities":"\#(entity)","#
    text += #""RowsProcessed":\#(rows).0,"EventIdentifier":"\#(random.next())"}"#
    text += "\n"
  }
  return Array(text.utf8)
}
