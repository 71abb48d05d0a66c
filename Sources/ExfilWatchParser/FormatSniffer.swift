import ExfilWatchEvent

/// `--format auto`: recognises a platform from the first record of an input, by the fields only
/// that platform has. Deciding from one record keeps auto-detection streaming; the format is
/// then fixed for the whole input.
enum FormatSniffer {
  private enum Key: Int, JSONFields {
    case eventDate, payloadEventDate, streamEventDate, channel, eventType, timestampDerived
    case timestamp, published, oktaEventType, creationTime, operation, sysCreatedOn, createdAt
    case action

    var path: [String] {
      switch self {
      case .eventDate: ["EventDate"]
      case .payloadEventDate: ["payload", "EventDate"]
      case .streamEventDate: ["data", "payload", "EventDate"]
      case .channel: ["channel"]
      case .eventType: ["event_type"]
      case .timestampDerived: ["timestamp_derived"]
      case .timestamp: ["timestamp"]
      case .published: ["published"]
      case .oktaEventType: ["eventType"]
      case .creationTime: ["CreationTime"]
      case .operation: ["Operation"]
      case .sysCreatedOn: ["sys_created_on"]
      case .createdAt: ["created_at"]
      case .action: ["action"]
      }
    }
  }

  private static let extractor = JSONFieldExtractor(Key.self, ignoresCase: true)

  /// What a JSON record says about its platform.
  enum Sniff: Equatable {
    case format(LogFormat)
    /// The record is not a JSON object (a damaged line): the next one may tell.
    case notJSON
    /// A JSON object of no platform ExfilWatch knows.
    case unknown
  }

  /// The format of a JSON record.
  static func format(ofJSON record: UnsafeRawBufferPointer, context: ParseContext) -> Sniff {
    guard (try? context.extract(record, with: extractor)) != nil else { return .notJSON }
    let values = context.values
    func has(_ key: Key) -> Bool { values[key.rawValue]?.nonEmptyText != nil }
    if has(.eventDate) || has(.payloadEventDate) || has(.streamEventDate)
      || values[Key.channel.rawValue]?.hasPrefix("/event/") == true
    {
      return .format(.salesforceRTEM)
    }
    if has(.eventType) && (has(.timestampDerived) || has(.timestamp)) { return .format(.salesforceELF) }
    if has(.published) && has(.oktaEventType) { return .format(.okta) }
    if has(.creationTime) && has(.operation) { return .format(.m365) }
    if has(.sysCreatedOn) { return .format(.servicenow) }
    if has(.createdAt) && has(.action) { return .format(.zendesk) }
    return .unknown
  }

  /// Whether a CSV header row is a Salesforce Event Log File's.
  static func isSalesforceELFHeader(_ record: UnsafeRawBufferPointer) -> Bool {
    var fields = CSVFields()
    guard fields.split(record) else { return false }
    let names = Set((0..<fields.count).map {
      String(decoding: fields.field($0), as: UTF8.self).uppercased()
    })
    return names.contains("EVENT_TYPE") && (names.contains("TIMESTAMP") || names.contains("TIMESTAMP_DERIVED"))
  }
}
