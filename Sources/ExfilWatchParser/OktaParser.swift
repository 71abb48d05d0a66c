import ExfilWatchEvent

/// `okta`: Okta System Log events. Okta logs no record counts for the apps behind it, so its
/// events are mostly context (sign-ins before a bulk read); report exports and reads count 1.
struct OktaParser {
  private enum Field: Int, JSONFields {
    case published, uuid, eventType, actorAlternateID, actorID, userAgent, ipAddress, session
    case targetType

    var path: [String] {
      switch self {
      case .published: ["published"]
      case .uuid: ["uuid"]
      case .eventType: ["eventType"]
      case .actorAlternateID: ["actor", "alternateId"]
      case .actorID: ["actor", "id"]
      case .userAgent: ["client", "userAgent", "rawUserAgent"]
      case .ipAddress: ["client", "ipAddress"]
      case .session: ["authenticationContext", "externalSessionId"]
      case .targetType: ["target", "0", "type"]
      }
    }
  }

  private static let extractor = JSONFieldExtractor(Field.self)

  func parse(_ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin)
    throws(RejectReason) -> AccessEvent
  {
    let field = try context.fields(of: record, with: Self.extractor, as: Field.self)
    var event = AccessEvent(
      time: try eventTime(field[.published]),
      actor: context.symbol(field[.actorAlternateID]),
      actorID: context.symbol(field[.actorID]),
      client: context.symbol(field[.userAgent]),
      sourceIP: context.addressSymbol(field[.ipAddress]),
      action: .other,
      object: context.symbol(field[.targetType]),
      records: 0,
      session: context.symbol(field[.session]),
      eventID: context.eventID(field[.uuid]),
      format: .okta,
      origin: origin)
    if let type = field[.eventType], type.nonEmptyText != nil {
      if type.contains(".export.") || type.hasSuffix(".download") {
        event.action = .export
        event.records = 1
      } else if type.equals("user.session.start") || type.hasPrefix("user.authentication.") {
        event.action = .login
      } else if type.hasSuffix(".read") {
        event.action = .view
        event.records = 1
      }
    }
    return event
  }
}
