import ExfilWatchEvent

/// `zendesk`: Zendesk audit log records. The audit log shows exports and changes, not ticket
/// reads: an export counts 1, logins and changes are context.
struct ZendeskParser {
  private enum Field: Int, JSONFields {
    case createdAt, id, actorName, actorID, ipAddress, sourceType, action

    var path: [String] {
      switch self {
      case .createdAt: ["created_at"]
      case .id: ["id"]
      case .actorName: ["actor_name"]
      case .actorID: ["actor_id"]
      case .ipAddress: ["ip_address"]
      case .sourceType: ["source_type"]
      case .action: ["action"]
      }
    }
  }

  private static let extractor = JSONFieldExtractor(Field.self)

  func parse(_ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin)
    throws(RejectReason) -> AccessEvent
  {
    let field = try context.fields(of: record, with: Self.extractor, as: Field.self)
    var event = AccessEvent(
      time: try eventTime(field[.createdAt]),
      actor: context.symbol(field[.actorName]),
      actorID: context.symbol(field[.actorID]),
      sourceIP: context.addressSymbol(field[.ipAddress]),
      action: .change,
      object: context.symbol(field[.sourceType]),
      records: 0,
      eventID: context.eventID(field[.id]),
      format: .zendesk,
      origin: origin)
    if field[.action]?.equals("exported") == true {
      event.action = .export
      event.records = 1
    } else if field[.action]?.equals("login") == true {
      event.action = .login
    }
    return event
  }
}
