import ExfilWatchEvent

/// `sf-elf`: Salesforce Event Log Files, as CSV with a header row or as JSON objects with the
/// same (lower-case) keys from SIEM exports. Columns are found by name, never by position: the
/// schema changes between releases. See Formats.md for the mapping and what is counted.
///
/// A class, for its `CSVTable` (see there).
final class SalesforceELFParser {
  private enum Field: Int, CaseIterable {
    case eventType, timestampDerived, timestamp, userName, userIDDerived, userID, clientIP
    case sessionKey, requestID, organizationID, entityName, entityType, responseSize
    case connectedAppID, clientName, userAgent, clientInfo, methodName, method, operationType
    case rowsProcessed, numberRecordsProcessed, recordsProcessed, rowCount, jobID, batchID

    var column: String {
      switch self {
      case .eventType: "EVENT_TYPE"
      case .timestampDerived: "TIMESTAMP_DERIVED"
      case .timestamp: "TIMESTAMP"
      case .userName: "USER_NAME"
      case .userIDDerived: "USER_ID_DERIVED"
      case .userID: "USER_ID"
      case .clientIP: "CLIENT_IP"
      case .sessionKey: "SESSION_KEY"
      case .requestID: "REQUEST_ID"
      case .organizationID: "ORGANIZATION_ID"
      case .entityName: "ENTITY_NAME"
      case .entityType: "ENTITY_TYPE"
      case .responseSize: "RESPONSE_SIZE"
      case .connectedAppID: "CONNECTED_APP_ID"
      case .clientName: "CLIENT_NAME"
      case .userAgent: "USER_AGENT"
      case .clientInfo: "CLIENT_INFO"
      case .methodName: "METHOD_NAME"
      case .method: "METHOD"
      case .operationType: "OPERATION_TYPE"
      case .rowsProcessed: "ROWS_PROCESSED"
      case .numberRecordsProcessed: "NUMBER_RECORDS_PROCESSED"
      case .recordsProcessed: "RECORDS_PROCESSED"
      case .rowCount: "ROW_COUNT"
      case .jobID: "JOB_ID"
      case .batchID: "BATCH_ID"
      }
    }
  }

  /// The SOAP API methods that read records.
  private static let readMethods: [StaticString] = [
    "query", "queryAll", "query_all", "queryMore", "retrieve", "search",
  ]
  /// The SOAP API methods that start a query operation (continued by `queryMore`).
  private static let queryMethods: [StaticString] = ["query", "queryAll", "query_all"]

  private static let jsonExtractor = JSONFieldExtractor(
    paths: Field.allCases.map { [$0.column] }, ignoresCase: true)

  @exclusivity(unchecked) private var table = CSVTable(columnNames: Field.allCases.map(\.column))

  /// Parses a CSV row; the first row of an input is its header and gives no event.
  func parseCSV(
    _ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin
  ) throws(RejectReason) -> AccessEvent? {
    guard try table.read(record, into: context) else { return nil }
    return try event(context: context, origin: origin)
  }

  /// Parses one JSON object with the ELF columns as (any-case) keys.
  func parseJSON(
    _ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin
  ) throws(RejectReason) -> AccessEvent {
    try context.extract(record, with: Self.jsonExtractor)
    return try event(context: context, origin: origin)
  }

  private func event(context: ParseContext, origin: EventOrigin) throws(RejectReason) -> AccessEvent {
    // Read from the context each time: a local copy of the array was retained and released
    // for every record, 2% of parsing an event.
    func field(_ field: Field) -> FieldValue? { context.values[field.rawValue] }
    let eventType = field(.eventType)
    if eventType?.equalsIgnoringCase("EVENT_TYPE") == true { throw .repeatedHeader }

    let time = try Self.time(derived: field(.timestampDerived), plain: field(.timestamp))
    let ip = field(.clientIP)
    var event = AccessEvent(
      time: time,
      actor: context.symbol(field(.userName)),
      actorID: context.symbol(field(.userIDDerived).or(field(.userID))),
      client: context.symbol(field(.connectedAppID).or(field(.clientName)).or(field(.userAgent)).or(field(.clientInfo))),
      sourceIP: ip?.equals("Salesforce.com IP") == true ? .none : context.addressSymbol(ip),
      action: .other,
      object: context.symbol(field(.entityName).or(field(.entityType))),
      records: 0,
      bytes: try count(field(.responseSize)),
      session: context.symbol(field(.sessionKey)),
      eventID: context.eventID(field(.requestID)),
      tenant: context.symbol(field(.organizationID)),
      format: .salesforceELF,
      origin: origin)

    func isType(_ name: StaticString) -> Bool { eventType?.equalsIgnoringCase(name) == true }
    func isQuery(_ operation: FieldValue?) -> Bool {
      operation?.equalsIgnoringCase("query") == true || operation?.equalsIgnoringCase("queryAll") == true
    }
    func counted(_ rows: Int64?, key: (Field, Field?), starts: Bool) {
      // A row without a count says nothing about its operation's progress.
      guard let rows else { event.records = 0; return }
      var operation = OperationKey()
      operation.add(field(key.0))
      if let second = key.1 { operation.add(field(second)) }
      event.setOperation(key: operation.value, rows: rows, startsOperation: starts)
    }

    if isType("API") {
      let method = field(.methodName)
      guard Self.readMethods.contains(where: { method?.equalsIgnoringCase($0) == true }) else {
        event.action = .apiCall
        return event
      }
      event.action = .query
      let rows = try count(field(.rowsProcessed))
      let startsQuery = Self.queryMethods.contains { method?.equalsIgnoringCase($0) == true }
      if startsQuery || method?.equalsIgnoringCase("queryMore") == true {
        counted(rows, key: (.sessionKey, .entityName), starts: startsQuery)
      } else {
        event.records = rows ?? 0  // retrieve, search: one call, its own rows
      }
    } else if isType("RestApi") {
      let isGet = field(.method)?.equalsIgnoringCase("GET") == true
      event.action = isGet ? .query : .apiCall
      event.records = isGet ? try count(field(.rowsProcessed)) ?? 1 : 0
    } else if isType("BulkApi") || isType("BulkApi2") {
      guard isQuery(field(.operationType)) else {
        event.action = .change
        return event
      }
      event.action = .query
      // Bulk API 2.0 logs its job's record count under a name that changed between releases.
      let rows = isType("BulkApi")
        ? try count(field(.rowsProcessed))
        : try firstCount(field(.rowsProcessed), field(.numberRecordsProcessed), field(.recordsProcessed))
      counted(rows, key: isType("BulkApi") ? (.jobID, .batchID) : (.jobID, nil), starts: false)
    } else if isType("Report") {
      event.action = .report
      event.records = try count(field(.rowCount)) ?? 1
    } else if isType("ReportExport") {
      event.action = .export
      event.records = 1
    } else if isType("URI") {
      event.action = .view
      event.records = 1
    } else if isType("Login") {
      event.action = .login
    } else if isType("ApiTotalUsage") {
      event.action = .apiCall
    }
    return event
  }

  /// `TIMESTAMP_DERIVED` (ISO-8601), else `TIMESTAMP` (`yyyyMMddHHmmss.SSS`, GMT).
  private static func time(derived: FieldValue?, plain: FieldValue?) throws(RejectReason) -> Int64 {
    do {
      return try eventTime(derived)
    } catch {
      guard plain?.nonEmptyText != nil else { throw error }
      return try eventTime(plain)
    }
  }
}
