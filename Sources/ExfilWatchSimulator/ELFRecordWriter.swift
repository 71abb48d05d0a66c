/// `sf-elf`: Salesforce Event Log File CSV, every field quoted, lines ending `\n`, with the
/// header of SampleLogs' `API` file plus a `ROW_COUNT` column (parsers find columns by name,
/// as Salesforce's schema changes between releases). API rows are SampleLogs/generate.py's
/// `elf_row`, column for column; report runs and exports are `Report` rows whose `ROW_COUNT` is
/// the report's rows.
final class ELFRecordWriter: RecordWriter {
  private let organisation: Organisation
  private let orgID15: [UInt8]
  /// Per-record caches, exempt from dynamic exclusivity checks (one thread, no re-entry).
  @exclusivity(unchecked) private var sessions = SessionKeyCache()
  @exclusivity(unchecked) private var dates = DateDigitsCache()
  /// The SOQL text is not in ELF, only its length (`REQUEST_SIZE`): rendered here to measure.
  private let queryScratch = RecordBuffer(capacity: 4096)

  static let columns = [
    "EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "RUN_TIME", "CPU_TIME",
    "URI", "SESSION_KEY", "LOGIN_KEY", "USER_TYPE", "REQUEST_STATUS", "DB_TOTAL_TIME", "API_TYPE",
    "API_VERSION", "CLIENT_NAME", "METHOD_NAME", "ENTITY_NAME", "ROWS_PROCESSED", "REQUEST_SIZE",
    "RESPONSE_SIZE", "DB_BLOCKS", "DB_CPU_TIME", "EXCEPTION_MESSAGE", "TIMESTAMP_DERIVED",
    "USER_ID_DERIVED", "CLIENT_IP", "URI_ID_DERIVED", "ROW_COUNT",
  ]
  private static let header = Array(
    (columns.map { "\"\($0)\"" }.joined(separator: ",") + "\n").utf8)

  init(organisation: Organisation) {
    self.organisation = organisation
    orgID15 = Array(organisation.orgID.prefix(15))
  }

  func writeHeader(to buffer: RecordBuffer) {
    buffer.append(Self.header)
  }

  func write(_ event: SimulatedEvent, to buffer: RecordBuffer) {
    var random = SimulationRandom(noise: event.noise)
    let principal = organisation.principal(event.principal)
    let keys = sessions.keys(for: event.session)
    let elapsed = Int64(event.elapsed)
    let isReport = event.kind.isReport
    let isInternal = event.session == 0
    // EVENT_TYPE .. USER_ID
    buffer.append(isReport ? #""Report",""# : #""API",""#)
    buffer.appendCompactTime(event.time, dates: &dates)
    buffer.append(#"",""#)
    Identifiers.appendRequestID(random: &random, to: buffer)
    buffer.append(#"",""#)
    buffer.append(orgID15)
    buffer.append(#"",""#)
    appendPrefix(principal.userID, 15, to: buffer)
    // RUN_TIME, CPU_TIME, URI
    buffer.append(#"",""#)
    buffer.appendDecimal(elapsed + random.int64(5...40))
    buffer.append(#"",""#)
    buffer.appendDecimal(elapsed / 3)
    if isReport {
      guard case .report(let index) = event.query else { preconditionFailure("a report without its report") }
      buffer.append(#"","/"#)
      appendPrefix(organisation.reportIDs[index], 15, to: buffer)
    } else {
      buffer.append(#"","Api"#)
    }
    // SESSION_KEY, LOGIN_KEY, USER_TYPE, REQUEST_STATUS, DB_TOTAL_TIME
    buffer.append(#"",""#)
    buffer.append(keys.sessionKey)
    buffer.append(#"",""#)
    buffer.append(keys.loginKey)
    buffer.append(isInternal ? #"","Standard","",""# : #"","Standard","S",""#)
    buffer.appendDecimal(elapsed * 850_000)
    if isReport {
      writeReportColumns(event, elapsed: elapsed, to: buffer)
    } else {
      writeAPIColumns(event, principal: principal, elapsed: elapsed, to: buffer)
    }
    // TIMESTAMP_DERIVED, USER_ID_DERIVED, CLIENT_IP, URI_ID_DERIVED, ROW_COUNT
    buffer.append(#"",""#)
    buffer.appendISOTime(event.time, dates: &dates, zone: "Z")
    buffer.append(#"",""#)
    buffer.append(principal.userID)
    buffer.append(#"",""#)
    buffer.append(principal.sourceIP)
    if isReport, case .report(let index) = event.query {
      buffer.append(#"",""#)
      buffer.append(organisation.reportIDs[index])
      buffer.append(#"",""#)
      buffer.appendDecimal(event.rowsProcessed ?? 0)
      buffer.append("\"\n")
    } else {
      buffer.append("\",\"\",\"\"\n")
    }
  }

  /// API_TYPE .. EXCEPTION_MESSAGE of an `API` row.
  private func writeAPIColumns(
    _ event: SimulatedEvent, principal: Principal, elapsed: Int64, to buffer: RecordBuffer
  ) {
    let client = principal.client
    buffer.append(#"",""#)
    buffer.append(client.elfAPIType)
    buffer.append(#"",""#)
    buffer.append(client.apiVersion)
    buffer.append(#"",""#)
    buffer.append(client.clientName)
    buffer.append(event.kind == .queryMore ? #"","queryMore",""# : #"","query",""#)
    buffer.append(event.entity.name)
    buffer.append(#"",""#)
    if let rows = event.rowsProcessed { buffer.appendDecimal(rows) }
    buffer.append(#"",""#)
    queryScratch.removeAll()
    queryScratch.appendQuery(event.query)
    buffer.appendDecimal(queryScratch.count + 420)
    buffer.append(#"",""#)
    buffer.appendDecimal(650 + 380 * event.rowsReturned)
    buffer.append(#"",""#)
    buffer.appendDecimal(4 + event.rowsReturned / 40)
    buffer.append(#"",""#)
    buffer.appendDecimal(elapsed / 4)
    buffer.append(#"",""#)
  }

  /// API_TYPE .. EXCEPTION_MESSAGE of a `Report` row: no API columns, the report's entity.
  private func writeReportColumns(_ event: SimulatedEvent, elapsed: Int64, to buffer: RecordBuffer) {
    buffer.append(#"","","","","",""#)
    buffer.append(event.entity.name)
    buffer.append(#"","","","",""#)
    buffer.appendDecimal(4 + event.rowsReturned / 40)
    buffer.append(#"",""#)
    buffer.appendDecimal(elapsed / 4)
    buffer.append(#"",""#)
  }

  private func appendPrefix(_ bytes: [UInt8], _ length: Int, to buffer: RecordBuffer) {
    bytes.withUnsafeBufferPointer { all in
      buffer.appendUninitialized(count: min(length, all.count)) { target in
        target.update(from: all.baseAddress!, count: min(length, all.count))
      }
    }
  }
}
