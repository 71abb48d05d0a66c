import ExfilWatchEvent

/// What a parser decided from an input's first records, kept so that a later run can parse the
/// input from the middle: the format it recognised and how records are framed, with the CSV
/// header row (the columns are named only there).
///
/// JSON arrays and wrappers (`{"records": [...]}`) have no resumption: a record in the middle
/// of one cannot be read without the bytes before it, so such inputs are read again from the
/// start and the records already handed on are skipped.
public struct ParserResumption: Sendable, Hashable, Codable {
  public enum Framing: Sendable, Hashable, Codable {
    case jsonLines
    case csv(header: [UInt8])
  }

  public var format: LogFormat
  public var framing: Framing

  public init(format: LogFormat, framing: Framing) {
    self.format = format
    self.framing = framing
  }

  private enum CodingKeys: String, CodingKey {
    case format, framing
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let name = try container.decode(String.self, forKey: .format)
    guard let format = LogFormat(rawValue: name) else {
      throw DecodingError.dataCorruptedError(
        forKey: .format, in: container, debugDescription: "unknown format \(name)")
    }
    self.format = format
    framing = try container.decode(Framing.self, forKey: .framing)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(format.rawValue, forKey: .format)
    try container.encode(framing, forKey: .framing)
  }
}
