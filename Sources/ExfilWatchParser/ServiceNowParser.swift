import ExfilWatchEvent

/// `servicenow`: export events (`isc_export_event`, with a `records` count) and `sysevent`
/// records (`report.view`, downloads, logins).
struct ServiceNowParser {
  private enum Field: Int, JSONFields {
    case sysCreatedOn, sysID, sysClassName, records, size, table, user, userName, userID, name
    case ipAddress, instance

    var path: [String] {
      switch self {
      case .sysCreatedOn: ["sys_created_on"]
      case .sysID: ["sys_id"]
      case .sysClassName: ["sys_class_name"]
      case .records: ["records"]
      case .size: ["size"]
      case .table: ["table"]
      case .user: ["user"]
      case .userName: ["user_name"]
      case .userID: ["user_id"]
      case .name: ["name"]
      case .ipAddress: ["ip_address"]
      case .instance: ["instance"]
      }
    }
  }

  private static let extractor = JSONFieldExtractor(Field.self)

  func parse(_ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin)
    throws(RejectReason) -> AccessEvent
  {
    let field = try context.fields(of: record, with: Self.extractor, as: Field.self)
    var event = AccessEvent(
      time: try eventTime(field[.sysCreatedOn]),
      actor: context.symbol(field[.userName]),
      actorID: context.symbol(field[.user].or(field[.userID])),
      sourceIP: context.addressSymbol(field[.ipAddress]),
      action: .other,
      object: context.symbol(field[.table]),
      records: 0,
      eventID: context.eventID(field[.sysID]),
      tenant: context.symbol(field[.instance]),
      format: .servicenow,
      origin: origin)
    if field[.sysClassName]?.equals("isc_export_event") == true || field[.records].isPresent {
      event.action = .export
      event.records = try count(field[.records]) ?? 1
      event.bytes = try count(field[.size])
    } else if let name = field[.name] {
      if name.equals("report.view") {
        event.action = .report
        event.records = 1
      } else if name.contains("export") || name.contains("download") {
        event.action = .export
        event.records = 1
      } else if name.equals("login") {
        event.action = .login
      }
    }
    return event
  }
}
