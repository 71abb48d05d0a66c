import ExfilWatchEvent

/// `sf-rtem`: Salesforce Real-Time Event Monitoring events (ApiEvent, BulkApiResultEvent,
/// ReportEvent, ListViewEvent, LoginEvent), bare or in their streaming, Pub/Sub or SOQL export
/// envelopes. See Formats.md for the mapping and what is counted.
struct SalesforceRTEMParser {
  /// The payload fields, looked for at each envelope depth.
  private enum Field: Int, CaseIterable {
    case eventDate, username, userID, sourceIP, sessionKey, eventIdentifier, eventUUID, id
    case queriedEntities, connectedAppID, client, application, userAgent, operation
    case rowsProcessed, rowsReturned, query, executionIdentifier, reportID, listViewID
    case eventSource, loginType, status, loginURL, browser, attributesType

    var path: [String] {
      switch self {
      case .eventDate: ["EventDate"]
      case .username: ["Username"]
      case .userID: ["UserId"]
      case .sourceIP: ["SourceIp"]
      case .sessionKey: ["SessionKey"]
      case .eventIdentifier: ["EventIdentifier"]
      case .eventUUID: ["EventUuid"]
      case .id: ["Id"]
      case .queriedEntities: ["QueriedEntities"]
      case .connectedAppID: ["ConnectedAppId"]
      case .client: ["Client"]
      case .application: ["Application"]
      case .userAgent: ["UserAgent"]
      case .operation: ["Operation"]
      case .rowsProcessed: ["RowsProcessed"]
      case .rowsReturned: ["RowsReturned"]
      case .query: ["Query"]
      case .executionIdentifier: ["ExecutionIdentifier"]
      case .reportID: ["ReportId"]
      case .listViewID: ["ListViewId"]
      case .eventSource: ["EventSource"]
      case .loginType: ["LoginType"]
      case .status: ["Status"]
      case .loginURL: ["LoginUrl"]
      case .browser: ["Browser"]
      case .attributesType: ["attributes", "type"]
      }
    }
  }

  /// Where the event's fields sit: bare, `{"payload":…}`, `{"data":{"payload":…}}`.
  private static let envelopes: [[String]] = [[], ["payload"], ["data", "payload"]]
  private static let fieldCount = Field.allCases.count
  private static let channelField = envelopes.count * fieldCount
  private static let extractor = JSONFieldExtractor(
    paths: envelopes.flatMap { prefix in Field.allCases.map { prefix + $0.path } } + [["channel"]])

  private enum EventType {
    case api, bulkAPIResult, report, listView, login, other
  }

  /// Names compared as raw bytes: compared through `String.UTF8View`, telling the event type
  /// took nearly 3% of parsing an API event.
  private static let eventTypes: [(name: StaticString, type: EventType)] = [
    ("ApiEvent", .api), ("BulkApiResultEvent", .bulkAPIResult), ("ReportEvent", .report),
    ("ListViewEvent", .listView), ("LoginEvent", .login),
  ]
  private static let channelSuffixes: [StaticString] = ["Stream", "Store"]

  func parse(_ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin)
    throws(RejectReason) -> AccessEvent
  {
    try context.extract(record, with: Self.extractor)
    // The values are read from the context each time: a local copy of the array (or a slice
    // of it) was retained and released for every record, 3% of parsing an event.
    //
    // The deepest envelope that holds any payload field is the event.
    let fieldCount = Self.fieldCount
    var base = 0
    for envelope in (1..<Self.envelopes.count).reversed()
    where context.hasValue(in: envelope * fieldCount..<(envelope + 1) * fieldCount) {
      base = envelope * fieldCount
      break
    }
    func field(_ field: Field) -> FieldValue? { context.values[base + field.rawValue] }

    let time = try eventTime(field(.eventDate))
    let type = eventType(
      declared: field(.attributesType) ?? context.values[0 + Field.attributesType.rawValue],
      channel: context.values[Self.channelField], field: field)
    var event = AccessEvent(
      time: time,
      actor: context.symbol(field(.username)),
      actorID: context.symbol(field(.userID)),
      sourceIP: context.addressSymbol(field(.sourceIP)),
      action: .other,
      object: context.intern(firstEntity(field(.queriedEntities))),
      records: 0,
      session: context.symbol(field(.sessionKey)),
      eventID: context.eventID(field(.eventIdentifier)) ?? context.eventID(field(.eventUUID))
        ?? context.eventID(field(.id)),
      format: .salesforceRTEM,
      origin: origin)

    switch type {
    case .api:
      event.action = .query
      event.client = context.symbol(field(.connectedAppID).or(field(.client)).or(field(.application)).or(field(.userAgent)))
      let rows = try firstCount(field(.rowsProcessed), field(.rowsReturned)) ?? 1
      var key = OperationKey()
      key.add(field(.sessionKey))
      key.add(field(.query))
      let continues = field(.operation)?.equalsIgnoringCase("QueryMore") ?? false
      event.setOperation(key: key.value, rows: rows, startsOperation: !continues)
    case .bulkAPIResult:
      event.action = .download
      event.records = 1
    case .report, .listView:
      let exported = field(.operation)?.equalsIgnoringCase("ReportExported") ?? false
      event.action = type == .listView ? .listView : (exported ? .export : .report)
      event.client = context.symbol(field(.eventSource))
      // A report or list view run without a row count is still a read: it counts 1.
      let rows = try count(field(.rowsProcessed))
      var key = OperationKey()
      key.add(field(.executionIdentifier))
      if let rows, field(.executionIdentifier)?.nonEmptyText != nil {
        event.setOperation(key: key.value, rows: rows, startsOperation: false)
      } else {
        event.records = rows ?? 1
      }
    case .login:
      event.action = .login
      event.client = context.symbol(field(.application).or(field(.browser)))
    case .other:
      break
    }
    return event
  }

  /// The event type from `attributes.type`, else the streaming channel, else the fields present.
  private func eventType(
    declared: FieldValue?, channel: FieldValue?, field: (Field) -> FieldValue?
  ) -> EventType {
    if var name = declared?.nonEmptyText ?? channel?.nonEmptyText {
      let prefix = StaticString("/event/").bytes
      if name.count >= prefix.count && sameBytes(UnsafeRawBufferPointer(rebasing: name[..<prefix.count]), prefix) {
        name = UnsafeRawBufferPointer(rebasing: name[prefix.count...])
      }
      for suffix in Self.channelSuffixes.lazy.map(\.bytes) where name.count > suffix.count
        && sameBytes(UnsafeRawBufferPointer(rebasing: name[(name.count - suffix.count)...]), suffix)
      {
        name = UnsafeRawBufferPointer(rebasing: name[..<(name.count - suffix.count)])
      }
      return Self.eventTypes.first { sameBytes(name, $0.name.bytes) }?.type ?? .other
    }
    func has(_ candidate: Field) -> Bool { field(candidate).isPresent }
    if has(.executionIdentifier) && has(.reportID) { return .report }
    if has(.executionIdentifier) && has(.listViewID) { return .listView }
    if has(.loginType) || (has(.status) && has(.loginURL)) { return .login }
    if has(.rowsProcessed) && has(.query) { return .api }
    if has(.query) { return .bulkAPIResult }
    return .other
  }

  /// The first entity of a comma-separated `QueriedEntities` list.
  private func firstEntity(_ value: FieldValue?) -> UnsafeRawBufferPointer {
    guard let text = value?.nonEmptyText else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    let end = firstIndex(of: UInt8(ascii: ","), in: text.baseAddress!, from: 0, to: text.count)
    var first = UnsafeRawBufferPointer(rebasing: text[..<end])
    while let last = first.last, last == 0x20 { first = UnsafeRawBufferPointer(rebasing: first.dropLast()) }
    return first
  }
}
