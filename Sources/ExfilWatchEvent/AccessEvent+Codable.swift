// Codable conformances of the event types that saved detector state holds (its samples' origins,
// its buckets' formats, the events it holds back until their time is confirmed), written by
// hand here rather than synthesized beside the types.

extension LogFormat: Codable {}

extension AccessAction: Codable {}

/// Without `operation`: the pages of a read are counted before events reach the detector,
/// which is what saves events.
extension AccessEvent: Codable {
  private enum CodingKeys: String, CodingKey {
    case time, actor, actorID, client, sourceIP, action, object, records, bytes, session, eventID, tenant
    case format, origin
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      time: try container.decode(Int64.self, forKey: .time), actor: try container.decode(Symbol.self, forKey: .actor),
      actorID: try container.decode(Symbol.self, forKey: .actorID),
      client: try container.decode(Symbol.self, forKey: .client),
      sourceIP: try container.decode(Symbol.self, forKey: .sourceIP),
      action: try container.decode(AccessAction.self, forKey: .action),
      object: try container.decode(Symbol.self, forKey: .object),
      records: try container.decode(Int64.self, forKey: .records),
      bytes: try container.decodeIfPresent(Int64.self, forKey: .bytes),
      session: try container.decode(Symbol.self, forKey: .session),
      eventID: try container.decodeIfPresent(EventID.self, forKey: .eventID),
      tenant: try container.decode(Symbol.self, forKey: .tenant),
      format: try container.decode(LogFormat.self, forKey: .format),
      origin: try container.decode(EventOrigin.self, forKey: .origin))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(time, forKey: .time)
    try container.encode(actor, forKey: .actor)
    try container.encode(actorID, forKey: .actorID)
    try container.encode(client, forKey: .client)
    try container.encode(sourceIP, forKey: .sourceIP)
    try container.encode(action, forKey: .action)
    try container.encode(object, forKey: .object)
    try container.encode(records, forKey: .records)
    try container.encodeIfPresent(bytes, forKey: .bytes)
    try container.encode(session, forKey: .session)
    try container.encodeIfPresent(eventID, forKey: .eventID)
    try container.encode(tenant, forKey: .tenant)
    try container.encode(format, forKey: .format)
    try container.encode(origin, forKey: .origin)
  }
}

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
