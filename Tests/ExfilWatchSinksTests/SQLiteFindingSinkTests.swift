import ExfilWatchDetector
import ExfilWatchSinks
import ExfilWatchTestSupport
import Foundation
import GRDB
import Glibc
import Testing

@Suite("SQLite findings sink")
struct SQLiteFindingSinkTests {
  /// The sample incident, and another one beside it.
  static let incident = SampleFindings.finding()
  static let otherIncident: Finding = {
    var finding = SampleFindings.finding(severity: .critical, tenant: nil)
    finding.id = "exw-00000000000000b2"
    finding.time -= 60_000
    return finding
  }()

  static func revision(_ number: Int, _ activity: Finding.Activity) -> Finding {
    var finding = SampleFindings.finding(activity: activity, revision: number)
    finding.time += Int64(number) * 300_000
    finding.evidence.records += Int64(number)
    return finding
  }

  /// `id version activity records` of every row, read with plain SQL.
  static func rows(_ path: String) throws -> [String] {
    try DatabaseQueue(path: path).read { db in
      try Row.fetchAll(db, sql: "SELECT id, version, activity, records FROM findings ORDER BY id").map { row in
        "\(row[0] as String) \(row[1] as Int) \(row[2] as String) \(row[3] as Int64)"
      }
    }
  }

  @Test("one row per incident holds its latest revision, whatever order revisions arrive in")
  func upsertKeepsTheLatestRevision() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("findings.db")
    var sink = try SQLiteFindingSink(path: path, productVersion: "0.1.0")
    sink.write(Self.revision(1, .create))
    sink.write(Self.otherIncident)
    try sink.flush()
    #expect(try Self.rows(path) == ["exw-00000000000000b2 1 Create 612000", "exw-1f3a9c0e2b7d4e51 1 Create 612001"])

    sink.write(Self.revision(2, .update))
    sink.write(Self.revision(3, .close))
    try sink.flush()
    // A resumed run delivering an older revision again, alone and then inside a batch.
    sink.write(Self.revision(2, .update))
    try sink.flush()
    sink.write(Self.revision(3, .close))
    sink.write(Self.revision(1, .create))
    try sink.flush()

    #expect(try Self.rows(path) == ["exw-00000000000000b2 1 Create 612000", "exw-1f3a9c0e2b7d4e51 3 Close 612003"])
    let stored = try FindingsDatabase(path: path).findings()
    #expect(stored.map(\.id) == ["exw-00000000000000b2", "exw-1f3a9c0e2b7d4e51"])
    #expect(stored.last?.time == Self.revision(3, .close).time)
  }

  @Test("the columns hold the finding's values and json is its OCSF event")
  func columnsHoldTheFindingsValues() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("findings.db")
    var sink = try SQLiteFindingSink(path: path, productVersion: "9.8.7")
    sink.write(Self.incident)
    sink.write(Self.otherIncident)
    try sink.flush()

    let finding = Self.incident
    let row = try #require(
      try DatabaseQueue(path: path).read { try Row.fetchOne($0, sql: "SELECT * FROM findings WHERE id = ?", arguments: [finding.id]) })
    #expect(row["version"] as Int == 1)
    #expect(row["time"] as Int64 == finding.time)
    #expect(row["first_seen"] as Int64 == finding.firstSeenTime)
    #expect(row["last_seen"] as Int64 == finding.lastSeenTime)
    #expect(row["severity"] as String == "High")
    #expect(row["severity_id"] as Int == 4)
    #expect(row["activity"] as String == "Create")
    #expect(row["analytic"] as String == "bulk_read_by_client")
    #expect(row["dimension"] as String == "client")
    #expect(row["key"] as String == "Data Loader")
    #expect(row["horizon"] as String == "5m")
    #expect(row["records"] as Int64 == 612_000)
    #expect(row["reads"] as Int64 == 612)
    #expect(row["baseline"] as Double == 340.2)
    #expect(row["score"] as Double == 14.23)
    #expect(row["tenant"] as String? == "00D5g000004XyZ1")
    #expect(row["title"] as String == finding.title)
    #expect(row["description"] as String == finding.description)
    let json: String = row["json"]
    #expect(json == String(decoding: OCSFDetectionFindingEncoder(productVersion: "9.8.7").encode(finding), as: UTF8.self))
    let event = try decodedEvent(Array(json.utf8))
    #expect(value(at: "finding_info.uid", in: event) as? String == finding.id)
    #expect(value(at: "metadata.product.version", in: event) as? String == "9.8.7")

    let other = try #require(try FindingsDatabase(path: path).findings().first)
    #expect(other.id == Self.otherIncident.id)
    #expect(other.tenant == nil, "a finding without a tenant stores NULL")
    #expect(other.severity == .critical)
  }

  @Test("the table is indexed on time and on (dimension, key); the file is in WAL mode, mode 0644")
  func indexesAndFile() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("findings.db")
    _ = try SQLiteFindingSink(path: path, productVersion: "0.1.0")
    let (indexes, journalMode) = try DatabaseQueue(path: path).read { db in
      let names = try String.fetchAll(
        db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'findings' AND sql IS NOT NULL ORDER BY name")
      let columns = try names.map { name in
        try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [name])
      }
      return (columns, try String.fetchOne(db, sql: "PRAGMA journal_mode"))
    }
    #expect(indexes == [["dimension", "key"], ["time"]])
    #expect(journalMode == "wal")
    var status = stat()
    #expect(stat(path, &status) == 0)
    let mask = umask(0)
    umask(mask)
    #expect(status.st_mode & 0o777 == 0o644 & ~mask)
  }

  @Test("an existing findings database is reopened, added to, and records its latest writer")
  func reopensAnExistingDatabase() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("findings.db")
    do {
      var first = try SQLiteFindingSink(path: path, productVersion: "0.1.0")
      first.write(Self.incident)
      try first.flush()
    }
    var second = try SQLiteFindingSink(path: path, productVersion: "0.2.0")
    second.write(Self.otherIncident)
    try second.flush()
    #expect(try FindingsDatabase(path: path).findings().map(\.id) == [Self.otherIncident.id, Self.incident.id])
    let meta = try DatabaseQueue(path: path).read { try Row.fetchOne($0, sql: "SELECT schema_version, writer_version FROM meta") }
    #expect(meta?[0] as Int? == 1 && meta?[1] as String? == "0.2.0")
  }

  @Test("a reader sees each flushed batch while the sink is open, and nothing before its flush")
  func readerSeesFlushedBatches() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("findings.db")
    var sink = try SQLiteFindingSink(path: path, productVersion: "0.1.0")
    sink.write(Self.incident)
    try sink.flush()
    sink.write(Self.otherIncident)
    let reader = try FindingsDatabase(path: path)
    #expect(try reader.findings().map(\.id) == [Self.incident.id])
    try sink.flush()
    #expect(try reader.findings().map(\.id) == [Self.otherIncident.id, Self.incident.id])
  }

  @Test("findings are listed by time, filtered by time and by severity and above")
  func readerFilters() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("findings.db")
    var sink = try SQLiteFindingSink(path: path, productVersion: "0.1.0")
    let severities: [Finding.Severity] = [.medium, .critical, .low, .high]
    for (index, severity) in severities.enumerated() {
      var finding = SampleFindings.finding(severity: severity)
      finding.id = "exw-000000000000000\(index)"
      finding.time = 1_000_000 - Int64(index) * 1000
      sink.write(finding)
    }
    try sink.flush()
    let reader = try FindingsDatabase(path: path)
    #expect(try reader.findings().map(\.severity) == [.high, .low, .critical, .medium])
    #expect(try reader.findings(minimumSeverity: .high).map(\.severity) == [.high, .critical])
    #expect(try reader.findings(since: 998_000).map(\.severity) == [.low, .critical, .medium])
    #expect(try reader.findings(since: 998_001, minimumSeverity: .critical).map(\.severity) == [.critical])
    #expect(try reader.findings(since: 999_001, minimumSeverity: .critical).map(\.severity) == [])
    #expect(try reader.newestFindingTime() == 1_000_000)
  }

  @Test("another program's database is refused and left untouched, by the sink and the reader")
  func foreignDatabaseIsRefused() throws {
    let directory = try TemporaryDirectory()
    for (name, sql) in [
      ("crm.db", "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'Acme')"),
      // An ExfilWatch state file has a `meta` table too.
      ("exfilwatch.state", "CREATE TABLE meta (id INTEGER PRIMARY KEY, schema_version INTEGER, writer_version TEXT); "
        + "INSERT INTO meta VALUES (1, 1, '0.1.0'); CREATE TABLE sources (path TEXT)"),
    ] {
      let path = directory.path(name)
      try DatabaseQueue(path: path).write { try $0.execute(sql: sql) }
      let before = try readBytes(path)
      let error = try #require(throws: SinkError.self) {
        try SQLiteFindingSink(path: path, productVersion: "0.1.0")
      }
      #expect(error.sink == "sqlite" && error.destination == path && error.operation == .open)
      #expect(error.description.hasPrefix("sqlite sink: cannot open '\(path)': it is not an ExfilWatch findings database"))
      #expect(error.description.contains(name == "crm.db" ? "(it holds the tables accounts)" : "meta, sources"))
      #expect(try readBytes(path) == before)
      #expect(!FileManager.default.fileExists(atPath: path + "-wal"))

      let readError = try #require(throws: FindingsDatabaseError.self) { try FindingsDatabase(path: path) }
      #expect(readError.description.hasPrefix("cannot read findings database '\(path)': it is not an ExfilWatch"))
    }
  }

  @Test("a file that is not a database, or a newer exfilwatch's database, is refused")
  func unusableFilesAreRefused() throws {
    let directory = try TemporaryDirectory()
    let garbage = try directory.write("garbage.db", Array(repeating: 0x5A, count: 8192))
    let error = try #require(throws: SinkError.self) { try SQLiteFindingSink(path: garbage, productVersion: "0.1.0") }
    #expect(error.description == "sqlite sink: cannot open '\(garbage)': file is not a database")
    #expect(try readBytes(garbage) == Array(repeating: 0x5A, count: 8192))

    let newer = directory.path("newer.db")
    _ = try SQLiteFindingSink(path: newer, productVersion: "0.1.0")
    try DatabaseQueue(path: newer).write {
      try $0.execute(sql: "UPDATE meta SET schema_version = 2, writer_version = '3.0.0'")
    }
    let newerError = try #require(throws: SinkError.self) { try SQLiteFindingSink(path: newer, productVersion: "0.1.0") }
    #expect(newerError.detail?.contains("written by ExfilWatch 3.0.0 with findings schema 2") == true)
    let readError = try #require(throws: FindingsDatabaseError.self) { try FindingsDatabase(path: newer) }
    #expect(readError.reason.contains("this version reads up to schema 1; upgrade exfilwatch"))
  }

  @Test("a path that cannot be written fails at once with the system's reason; a missing file cannot be read")
  func unwritableAndMissingPaths() throws {
    let directory = try TemporaryDirectory()
    let error = try #require(throws: SinkError.self) {
      try SQLiteFindingSink(path: directory.url.path, productVersion: "0.1.0")
    }
    #expect(error.errno == EISDIR)
    #expect(error.description == "sqlite sink: cannot open '\(directory.url.path)': Is a directory")
    let missingDirectory = directory.path("no/such/findings.db")
    let missingError = try #require(throws: SinkError.self) {
      try SQLiteFindingSink(path: missingDirectory, productVersion: "0.1.0")
    }
    #expect(missingError.errno == ENOENT)

    let missing = directory.path("missing.db")
    let readError = try #require(throws: FindingsDatabaseError.self) { try FindingsDatabase(path: missing) }
    #expect(readError.description == "cannot read findings database '\(missing)': No such file or directory")
    #expect(!FileManager.default.fileExists(atPath: missing), "the reader creates nothing")
  }
}
