/// `sf-rtem`: Salesforce Real-Time Event Monitoring objects as JSON lines, as a SOQL export of
/// the `ApiEvent` and `ReportEvent` stores gives them: keys in alphabetical order with
/// `attributes` last, `RowsProcessed` a double (`2000.0`), `EventDate`
/// `2025-06-30T09:41:07.123+0000`, `Records` a JSON string holding two sample record ids. The
/// ApiEvent shape is SampleLogs/generate.py's, field for field.
final class RTEMRecordWriter: RecordWriter {
  private let organisation: Organisation
  /// Per-record caches, exempt from dynamic exclusivity checks (one thread, no re-entry).
  @exclusivity(unchecked) private var sessions = SessionKeyCache()
  @exclusivity(unchecked) private var dates = DateDigitsCache()

  init(organisation: Organisation) {
    self.organisation = organisation
  }

  func writeHeader(to buffer: RecordBuffer) {}

  func write(_ event: SimulatedEvent, to buffer: RecordBuffer) {
    var random = SimulationRandom(noise: event.noise)
    let principal = organisation.principal(event.principal)
    let keys = sessions.keys(for: event.session)
    if event.kind.isReport {
      writeReportEvent(event, principal: principal, keys: keys, random: &random, to: buffer)
    } else {
      writeApiEvent(event, principal: principal, keys: keys, random: &random, to: buffer)
    }
  }

  private func writeApiEvent(
    _ event: SimulatedEvent, principal: Principal, keys: SessionKeys,
    random: inout SimulationRandom, to buffer: RecordBuffer
  ) {
    let client = principal.client
    buffer.append(#"{"AdditionalInfo":"{}","ApiType":""#)
    buffer.append(client.apiType)
    buffer.append(#"","ApiVersion":"#)
    buffer.append(client.apiVersion)
    buffer.append(#","Application":""#)
    buffer.append(client.application)
    buffer.append(#"","Client":""#)
    buffer.append(client.clientName)
    if let appID = client.connectedAppID {
      buffer.append(#"","ConnectedAppId":""#)
      buffer.append(appID)
      buffer.append(#"","CreatedDate":""#)
    } else {
      buffer.append(#"","ConnectedAppId":null,"CreatedDate":""#)
    }
    writeCommonTimes(event, created: random.int64(200...3000), random: &random, to: buffer)
    buffer.append(#"","LoginHistoryId":""#)
    buffer.append(keys.loginHistoryID)
    buffer.append(#"","LoginKey":""#)
    buffer.append(keys.loginKey)
    buffer.append(#"","Operation":""#)
    buffer.append(event.kind == .queryMore ? "QueryMore" : "Query")
    buffer.append(#"","Platform":"Unknown","PolicyId":null,"PolicyOutcome":null,"QueriedEntities":""#)
    buffer.append(event.entity.name)
    buffer.append(#"","Query":""#)
    buffer.appendQuery(event.query)
    buffer.append(#"","Records":"{\"totalSize\":"#)
    buffer.appendDecimal(event.totalSize)
    let isCount: Bool
    if case .count = event.query { isCount = true } else { isCount = false }
    let processed = event.rowsProcessed ?? 0
    let done = isCount || processed >= event.totalSize
    buffer.append(done ? #",\"done\":true,\"records\":["# : #",\"done\":false,\"records\":["#)
    let samples = isCount ? 0 : min(2, event.rowsReturned)
    for index in 0..<samples {
      if index > 0 { buffer.append(UInt8(ascii: ",")) }
      buffer.append(#"{\"attributes\":{\"type\":\""#)
      buffer.append(event.entity.name)
      buffer.append(#"\"},\"Id\":\""#)
      Identifiers.appendSalesforceID(prefix: event.entity.idPrefix, random: &random, to: buffer)
      buffer.append(#"\"}"#)
    }
    buffer.append(#"]}","RelatedEventIdentifier":null,"RowsProcessed":"#)
    buffer.appendWholeDouble(processed)
    buffer.append(#","RowsReturned":"#)
    buffer.appendDecimal(event.rowsReturned)
    buffer.append(#","SessionKey":""#)
    buffer.append(keys.sessionKey)
    buffer.append(#"","SessionLevel":"STANDARD","SourceIp":""#)
    buffer.append(principal.sourceIP)
    buffer.append(#"","UserAgent":""#)
    buffer.append(client.userAgent)
    writeUser(principal, to: buffer)
    buffer.append(#"","attributes":{"type":"ApiEvent"}}"#)
    buffer.append(UInt8(ascii: "\n"))
  }

  /// A report run or export: one ReportEvent per run, one `ExecutionIdentifier` each, with
  /// the report's rows in `RowsProcessed` (the parser counts them once per execution).
  private func writeReportEvent(
    _ event: SimulatedEvent, principal: Principal, keys: SessionKeys,
    random: inout SimulationRandom, to buffer: RecordBuffer
  ) {
    guard case .report(let index) = event.query else { preconditionFailure("a report without its report") }
    let report = organisation.reports[index]
    let exported = event.kind == .reportExport
    buffer.append(#"{"ColumnHeaders":"["#)
    for (position, header) in report.columnHeaders.enumerated() {
      if position > 0 { buffer.append(", ") }
      buffer.append(Array(header.utf8))
    }
    buffer.append(#"]","CreatedDate":""#)
    let created = random.int64(200...3000)
    buffer.appendISOTime(event.time + created, dates: &dates, zone: "+0000")
    buffer.append(#"","DashboardId":null,"DashboardName":null,"Description":null,"DisplayedFieldEntities":""#)
    buffer.append(report.entity.name)
    buffer.append(#"","EvaluationTime":0.0,"EventDate":""#)
    buffer.appendISOTime(event.time, dates: &dates, zone: "+0000")
    buffer.append(#"","EventIdentifier":""#)
    Identifiers.appendUUID(random: &random, to: buffer)
    buffer.append(#"","EventSource":"Lightning","ExecutionIdentifier":""#)
    Identifiers.appendUUID(random: &random, to: buffer)
    buffer.append(
      exported ? #"","ExportFileFormat":"CSV","Format":""# : #"","ExportFileFormat":null,"Format":""#)
    buffer.append(report.summary ? "Summary" : "Tabular")
    buffer.append(#"","GroupedColumnHeaders":null,"IsScheduled":false,"LoginHistoryId":""#)
    buffer.append(keys.loginHistoryID)
    buffer.append(#"","LoginKey":""#)
    buffer.append(keys.loginKey)
    buffer.append(#"","Name":""#)
    buffer.append(Array(report.name.utf8))
    buffer.append(#"","NumberOfColumns":"#)
    buffer.appendDecimal(report.columnHeaders.count)
    buffer.append(
      exported
        ? #","Operation":"ReportExported","OwnerId":""# : #","Operation":"ReportRunFromLightning","OwnerId":""#)
    buffer.append(principal.userID)
    buffer.append(#"","PolicyId":null,"PolicyOutcome":null,"QueriedEntities":""#)
    buffer.append(report.entity.name)
    buffer.append(#"","Records":null,"RelatedEventIdentifier":null,"ReportId":""#)
    buffer.append(organisation.reportIDs[index])
    buffer.append(#"","RowsProcessed":"#)
    buffer.appendWholeDouble(event.rowsProcessed ?? 0)
    buffer.append(#","Scope":"organization","Sequence":0,"SessionKey":""#)
    buffer.append(keys.sessionKey)
    buffer.append(#"","SessionLevel":"STANDARD","SourceIp":""#)
    buffer.append(principal.sourceIP)
    writeUser(principal, to: buffer)
    buffer.append(#"","attributes":{"type":"ReportEvent"}}"#)
    buffer.append(UInt8(ascii: "\n"))
  }

  /// `CreatedDate` (a moment after the event), `ElapsedTime`, `EvaluationTime`, `EventDate`,
  /// `EventIdentifier`: ends inside the `EventIdentifier` string.
  private func writeCommonTimes(
    _ event: SimulatedEvent, created: Int64, random: inout SimulationRandom, to buffer: RecordBuffer
  ) {
    buffer.appendISOTime(event.time + created, dates: &dates, zone: "+0000")
    buffer.append(#"","ElapsedTime":"#)
    buffer.appendDecimal(Int64(event.elapsed))
    buffer.append(#","EvaluationTime":0.0,"EventDate":""#)
    buffer.appendISOTime(event.time, dates: &dates, zone: "+0000")
    buffer.append(#"","EventIdentifier":""#)
    Identifiers.appendUUID(random: &random, to: buffer)
  }

  private func writeUser(_ principal: Principal, to buffer: RecordBuffer) {
    buffer.append(#"","UserId":""#)
    buffer.append(principal.userID)
    buffer.append(#"","Username":""#)
    buffer.append(principal.username)
  }
}
