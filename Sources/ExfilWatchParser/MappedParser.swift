import ExfilWatchEvent

/// `jsonl` and `csv`: records of any platform, read through a `FieldMapping`. Every record is a
/// read unless the mapping names an `action` field whose value says otherwise.
///
/// A class, for its `CSVTable` (see there).
final class MappedParser {
  private typealias Field = FieldMapping.Field
  private static let fieldIndex = Dictionary(
    uniqueKeysWithValues: Field.allCases.enumerated().map { ($0.element, $0.offset) })
  private let mapping: FieldMapping
  private let extractor: JSONFieldExtractor
  @exclusivity(unchecked) private var table: CSVTable

  init(mapping: FieldMapping) {
    self.mapping = mapping
    table = CSVTable(columnNames: Field.allCases.map { mapping.paths[$0] })
    extractor = JSONFieldExtractor(paths: Field.allCases.map { field in
      mapping.paths[field].map { $0.split(separator: ".").map(String.init) } ?? []
    })
  }

  func parseJSON(_ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin)
    throws(RejectReason) -> AccessEvent
  {
    try context.extract(record, with: extractor)
    return try event(context: context, origin: origin, format: .jsonl)
  }

  /// Parses a CSV row; the first row of an input is its header and gives no event.
  func parseCSV(_ record: UnsafeRawBufferPointer, context: ParseContext, origin: EventOrigin)
    throws(RejectReason) -> AccessEvent?
  {
    guard try table.read(record, into: context) else { return nil }
    return try event(context: context, origin: origin, format: .csv)
  }

  private func event(context: ParseContext, origin: EventOrigin, format: LogFormat)
    throws(RejectReason) -> AccessEvent
  {
    let values = context.values
    func field(_ field: Field) -> FieldValue? { values[Self.fieldIndex[field]!] }
    var action = AccessAction.query
    if mapping.paths[.action] != nil {
      action = field(.action)?.nonEmptyText
        .flatMap { AccessAction(rawValue: String(decoding: $0, as: UTF8.self)) } ?? .other
    }
    let records = action.isRead ? try count(field(.records)) ?? 1 : 0
    return AccessEvent(
      time: try eventTime(field(.time)),
      actor: context.symbol(field(.actor)),
      actorID: context.symbol(field(.actorId)),
      client: context.symbol(field(.client)),
      sourceIP: context.addressSymbol(field(.sourceIP)),
      action: action,
      object: context.symbol(field(.object)),
      records: records,
      bytes: try count(field(.bytes)),
      session: context.symbol(field(.session)),
      eventID: context.eventID(field(.eventID)),
      tenant: context.symbol(field(.tenant)),
      format: format,
      origin: origin)
  }
}
