import ExfilWatchDetector
import GRDB
import Glibc

/// Findings upserted into an SQLite database, one row per incident holding its latest
/// revision: what a person queries with `exfilwatch findings` or `sqlite3`, and what a
/// dashboard reads, without replaying the JSON lines history.
///
/// ```swift
/// var sink = try SQLiteFindingSink(path: "findings.db", productVersion: "0.1.0")
/// sink.write(finding)     // held in memory
/// try sink.flush()        // one transaction, on disk when it returns
/// ```
///
/// A row is replaced only by the same or a newer revision of its incident (`version`): a run
/// that resumes and delivers an older revision again, or two runs writing into one database,
/// never take an incident back in time. The layout is ``FindingsSchema``'s.
///
/// ## Durability
///
/// As the state file: WAL mode with `synchronous=FULL`, so a returned `flush()` is one append
/// to the `-wal` file and one `fsync`, and survives `kill -9` and power loss. A failed flush
/// stores nothing of its batch and keeps it, so a retry writes the whole batch again (upserts
/// make that harmless). WAL needs a local file system.
///
/// ## The file
///
/// Created with mode 0644 before the umask, like the JSON lines file: it holds the same
/// findings, and the tools that read it (a dashboard, a report job) often run as another user.
/// Put it in a directory only its readers can enter when the findings themselves (user names,
/// addresses) must stay private. A file that is another program's database, or a newer
/// exfilwatch's, is refused without being modified.
public struct SQLiteFindingSink: FindingSink {
  /// The database file.
  public let path: String
  private let queue: DatabaseQueue
  private let encoder: OCSFDetectionFindingEncoder
  private let writerVersion: String
  private var pending: [StoredFinding] = []

  /// Opens the database at `path`, creating it and its tables if needed; fails now, not at the
  /// first flush, when the file cannot be written or is not a findings database.
  ///
  /// - Parameters:
  ///   - path: The database file. Its directory must exist.
  ///   - productVersion: This program's version: `metadata.product.version` of every OCSF
  ///     finding, and the writer recorded in the file.
  /// - Throws: ``SinkError`` with operation `.open`: the system's reason (`errno`) when the
  ///   file cannot be opened for writing, SQLite's or the refusal's in `detail` otherwise.
  public init(path: String, productVersion: String) throws(SinkError) {
    self.path = path
    writerVersion = productVersion
    encoder = OCSFDetectionFindingEncoder(productVersion: productVersion)
    try Self.prepareFile(path)
    queue = try Self.attempt(path, .open) {
      try DatabaseQueue(path: path, configuration: Self.configuration())
    }
    try Self.attempt(path, .open) { [queue] in
      if let refusal = try queue.read(FindingsSchema.inspect).refusal { throw refusal }
      // Only now, once the file is known to be ours or new: switching to WAL rewrites the
      // file's header.
      try queue.writeWithoutTransaction(Self.makeDurable)
      try FindingsSchema.migrator(writerVersion: productVersion).migrate(queue)
    }
  }

  // MARK: - FindingSink

  public mutating func write(_ finding: Finding) {
    pending.append(StoredFinding(finding, json: String(decoding: encoder.encode(finding), as: UTF8.self)))
  }

  public mutating func flush() throws(SinkError) {
    guard !pending.isEmpty else { return }
    try Self.attempt(path, .write) { [queue, pending, writerVersion] in
      // IMMEDIATE takes the write lock up front, so a busy file fails before any work.
      try queue.inTransaction(.immediate) { db in
        let upsert = try db.cachedStatement(sql: Self.upsertSQL)
        for finding in pending {
          try upsert.execute(arguments: finding.databaseValues)
        }
        try db.execute(sql: "UPDATE meta SET writer_version = ? WHERE id = 1", arguments: [writerVersion])
        return .commit
      }
    }
    pending.removeAll()
  }

  // MARK: - Internals

  /// Inserts a finding, or replaces its incident's row with a revision at least as new.
  ///
  /// `>=` rather than `>`: the same revision delivered again (a resumed run) is rewritten, so
  /// a newer exfilwatch re-delivering it refreshes the stored JSON.
  private static let upsertSQL: String = {
    let columns = StoredFinding.columns
    let updates = columns.dropFirst().map { "\($0) = excluded.\($0)" }
    return """
      INSERT INTO findings (\(columns.joined(separator: ", ")))
      VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
      ON CONFLICT (id) DO UPDATE SET \(updates.joined(separator: ", "))
      WHERE excluded.version >= findings.version
      """
  }()

  private static func configuration() -> Configuration {
    var configuration = Configuration()
    configuration.label = "SQLiteFindingSink"
    // Another run, `exfilwatch findings` or an sqlite3 shell may hold SQLite's lock for a
    // moment: wait a little for it, then say so.
    configuration.busyMode = .timeout(5)
    return configuration
  }

  /// WAL mode and `synchronous=FULL` (see Durability), on the queue's one connection.
  private static func makeDurable(_ db: Database) throws {
    // Not GRDB's `journalMode = .wal`: that also sets synchronous=NORMAL, which may lose the
    // last commits on power loss.
    let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
    guard mode == "wal" else {
      throw FindingsFileRefusal(
        reason: "SQLite could not switch it to WAL mode (got \(mode ?? "nothing")); is it on a "
          + "network file system?")
    }
    try db.execute(sql: "PRAGMA synchronous = FULL")
  }

  /// Opens the file for reading and writing, creating it, before SQLite does: SQLite would
  /// quietly open a file it may not write read-only and fail only at the first flush, and
  /// without the system's reason.
  ///
  /// A new file's directory entry needs no `fsync` here: SQLite flushes the directory when it
  /// creates the `-wal` file next to it, before the first commit returns.
  private static func prepareFile(_ path: String) throws(SinkError) {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw openError(path, errno: errno) }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw openError(path, errno: errno) }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw openError(path, errno: 0, detail: "not a regular file")
    }
  }

  private static func openError(_ path: String, errno: Int32, detail: String? = nil) -> SinkError {
    SinkError(sink: "sqlite", destination: path, operation: .open, errno: errno, detail: detail)
  }

  /// Runs `body`, turning SQLite's errors and refusals into a ``SinkError`` that names the file.
  private static func attempt<T>(
    _ path: String, _ operation: SinkError.Operation, _ body: () throws -> T
  ) throws(SinkError) -> T {
    do {
      return try body()
    } catch let refusal as FindingsFileRefusal {
      throw SinkError(sink: "sqlite", destination: path, operation: operation, errno: 0, detail: refusal.reason)
    } catch let error as DatabaseError {
      let detail = error.message ?? error.extendedResultCode.description
      throw SinkError(sink: "sqlite", destination: path, operation: operation, errno: 0, detail: detail)
    } catch {
      throw SinkError(
        sink: "sqlite", destination: path, operation: operation, errno: 0, detail: String(describing: error))
    }
  }
}
