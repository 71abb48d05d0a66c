// Codable conformances of the event types that saved detector state holds (its samples' origins,
// its buckets' formats), written by hand here rather than synthesized beside the types.

extension LogFormat: Codable {}

extension EventOrigin: Codable {
  private enum CodingKeys: String, CodingKey {
    case input, line, offset
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      input: try container.decode(Symbol.self, forKey: .input), line: try container.decode(Int.self, forKey: .line),
      offset: try container.decode(Int64.self, forKey: .offset))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(input, forKey: .input)
    try container.encode(line, forKey: .line)
    try container.encode(offset, forKey: .offset)
  }
}
