/// One audit record to be written, in a form both formats are rendered from.
///
/// It holds no strings: the principal (who, from where, through which app) is an index into
/// the organisation's table, the SOQL text is a `QueryText` rendered when written, and the
/// record's random ids (event id, request id, sample record ids) come from `noise`. So events
/// are small values, made and merged without allocating.
struct SimulatedEvent {
  /// UTC epoch milliseconds.
  var time: Int64
  var kind: RecordKind
  var entity: Entity
  var principal: Int32
  /// Seed of the session's keys (`SessionKeys`); 0 for calls outside any session.
  var session: UInt64
  var query: QueryText
  /// `RowsProcessed`/`ROWS_PROCESSED`: the operation's running total of rows (the page's last
  /// row for a `QueryMore`); nil writes an empty ELF field (some Salesforce-internal calls).
  var rowsProcessed: Int64?
  /// `RowsReturned`: rows in this page.
  var rowsReturned: Int64
  /// `Records.totalSize`: rows the whole query will return (a COUNT()'s count).
  var totalSize: Int64
  /// The records the project's parser counts for this record (Formats.md, "Counting a logical
  /// read once"): a `Query` counts its rows, a `QueryMore` the rows it adds.
  var counted: Int64
  /// `ElapsedTime`, milliseconds.
  var elapsed: Int32
  /// Which injected attack this record belongs to, or -1 for normal traffic.
  var attack: Int8 = -1
  var noise: UInt64
}

/// What kind of record an event is written as.
enum RecordKind: UInt8 {
  /// ApiEvent `Operation` `Query` / ELF `METHOD_NAME` `query`: starts a read.
  case query
  /// `QueryMore` / `queryMore`: the next page of the read.
  case queryMore
  /// ReportEvent `ReportRunFromLightning` / ELF `Report`.
  case reportRun
  /// ReportEvent `ReportExported` / ELF `Report`.
  case reportExport

  var isReport: Bool { self == .reportRun || self == .reportExport }
}

/// The Salesforce objects the simulated org is read through.
enum Entity: UInt8, CaseIterable {
  case contact
  case account
  case supportCase
  case organization

  var name: StaticString {
    switch self {
    case .contact: "Contact"
    case .account: "Account"
    case .supportCase: "Case"
    case .organization: "Organization"
    }
  }

  var nameText: String { "\(name)" }

  /// The key prefix of its record ids.
  var idPrefix: StaticString {
    switch self {
    case .contact: "003"
    case .account: "001"
    case .supportCase: "500"
    case .organization: "00D"
    }
  }
}

/// The SOQL text of a query, as a template and its parameters. The same value always renders
/// the same text, which matters: Query and QueryMore pages of one read share their `Query`, and
/// the parser joins pages by (SessionKey, Query).
enum QueryText: Equatable {
  /// An agent finds the caller by the last four digits of their phone number.
  case contactByPhone(lastDigits: Int)
  /// ... or by surname (an index into the surname list).
  case contactByName(surname: Int)
  /// The caller's recent cases; the contact id is made from `contactSeed`.
  case casesOfContact(contactSeed: UInt64)
  case accountByID(accountSeed: UInt64)
  /// A team lead's escalation queue.
  case escalatedCases(queueSeed: UInt64)
  /// A nightly integration's delta since `since` (epoch ms); `variant` picks the integration.
  case integrationDelta(Entity, since: Int64, variant: Int)
  /// `SELECT COUNT() FROM Contact`: how much is there to steal.
  case count(Entity)
  /// The attacker's full read of an entity, or a sample of `limit` rows.
  case fullExport(Entity, limit: Int?)
  /// A broad search by surname prefix (`LastName LIKE 'Ab%'`), `limit` rows.
  case surnamePrefix(Entity, prefix: Int, limit: Int)
  /// Contacts of one postal code, `LIMIT 50`: enumerating the customer base slowly.
  case postalCode(code: Int)
  /// Salesforce-internal calls (ELF only) and report runs have no SOQL in the log.
  case none
  /// A report run or export of `reports[index]`.
  case report(index: Int)
}
