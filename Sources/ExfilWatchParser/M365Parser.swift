import ExfilWatchEvent

/// `m365`: Microsoft 365 unified audit log records (Management Activity API). File downloads
/// and mailbox item access are the reads; `MailItemsAccessed` carries its item count in
/// `OperationCount` (aggregated records) or as the items listed under `Folders`.
struct M365Parser {
  private enum Field: Int, JSONFields {
    case creationTime, id, operation, userID, userKey, clientIP, clientIPAddress, clientAppID
    case appID, applicationID, clientAppName, userAgent, aadSessionID, sessionID
    case organizationID, itemType, workload, fileSizeBytes, operationCount, folders

    var path: [String] {
      switch self {
      case .creationTime: ["CreationTime"]
      case .id: ["Id"]
      case .operation: ["Operation"]
      case .userID: ["UserId"]
      case .userKey: ["UserKey"]
      case .clientIP: ["ClientIP"]
      case .clientIPAddress: ["ClientIPAddress"]
      case .clientAppID: ["ClientAppId"]
      case .appID: ["AppId"]
      case .applicationID: ["ApplicationId"]
      case .clientAppName: ["AppAccessContext", "ClientAppName"]
      case .userAgent: ["UserAgent"]
      case .aadSessionID: ["AppAccessContext", "AADSessionId"]
      case .sessionID: ["SessionId"]
      case .organizationID: ["OrganizationId"]
      case .itemType: ["ItemType"]
      case .workload: ["Workload"]
      case .fileSizeBytes: ["FileSizeBytes"]
      case .operationCount: ["OperationCount"]
      case .folders: ["Folders"]
      }
    }
  }

  private static let extractor = JSONFieldExtractor(Field.self)

  func parse(_ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin)
    throws(RejectReason) -> AccessEvent
  {
    let field = try context.fields(of: record, with: Self.extractor, as: Field.self)
    var event = AccessEvent(
      time: try eventTime(field[.creationTime]),
      actor: context.symbol(field[.userID]),
      actorID: context.symbol(field[.userKey]),
      client: context.symbol(field[.clientAppID].or(field[.appID]).or(field[.applicationID]).or(field[.clientAppName]).or(field[.userAgent])),
      sourceIP: context.addressSymbol(
        field[.clientIP]?.nonEmptyText != nil ? field[.clientIP] : field[.clientIPAddress]),
      action: .other,
      object: context.symbol(field[.itemType].or(field[.workload])),
      records: 0,
      bytes: try count(field[.fileSizeBytes]),
      session: context.symbol(field[.aadSessionID].or(field[.sessionID])),
      eventID: context.eventID(field[.id]),
      tenant: context.symbol(field[.organizationID]),
      format: .m365,
      origin: origin)
    guard let operation = field[.operation] else { return event }
    if operation.equals("FileDownloaded") || operation.equals("FileSyncDownloadedFull") {
      event.action = .download
      event.records = 1
    } else if operation.equals("FileAccessed") {
      event.action = .view
      event.records = 1
    } else if operation.equals("MailItemsAccessed") {
      event.action = .view
      let folderItems = try Self.folderItemCount(field[.folders])
      event.records = try count(field[.operationCount]) ?? folderItems ?? 1
    } else if operation.equals("SearchQueryPerformed") {
      event.action = .search
      event.records = 1
    } else if operation.equals("UserLoggedIn") {
      event.action = .login
    }
    return event
  }

  /// The number of `Folders[].FolderItems[]`, or nil when there are none.
  private static func folderItemCount(_ folders: FieldValue?) throws(RejectReason) -> Int64? {
    guard let folders, folders.kind == .array else { return nil }
    // The array was validated with its record: walking it can fail only in theory.
    var scanner = JSONScanner(folders.text)
    var items: Int64 = 0
    do {
      var folderList = try scanner.enterContainer()
      while try scanner.nextElement(&folderList) {
        guard scanner.nextByte == UInt8(ascii: "{") else {
          _ = try scanner.skipValue()
          continue
        }
        var members = try scanner.enterContainer()
        while let key = try scanner.nextMember(&members) {
          guard scanner.nextByte == UInt8(ascii: "["), scanner.bytes(of: key).elementsEqual("FolderItems".utf8) else {
            _ = try scanner.skipValue()
            continue
          }
          var folderItems = try scanner.enterContainer()
          while try scanner.nextElement(&folderItems) {
            _ = try scanner.skipValue()
            items += 1
          }
        }
      }
    } catch {
      throw .badJSON
    }
    return items > 0 ? items : nil
  }
}
