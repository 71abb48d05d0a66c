import ExfilWatchDetector
import GRDB
import Glibc

/// A findings database written by ``SQLiteFindingSink``, opened read-only to list what it
/// holds (`exfilwatch findings`).
///
/// ```swift
/// let database = try FindingsDatabase(path: "findings.db")
/// for finding in try database.findings(since: dayAgo, minimumSeverity: .high) { ... }
/// ```
///
/// Read-only, so a mistyped path or another program's database is never created or changed,
/// and a run writing into the database at the same time is not disturbed: in WAL mode readers
/// and the writer do not wait for each other, and a reader sees every flushed batch.
public final class FindingsDatabase: Sendable {
  /// The database file.
  public let path: String
  private let queue: DatabaseQueue

  /// Opens the database at `path` for reading.
  ///
  /// - Throws: ``FindingsDatabaseError`` when the file does not exist or cannot be read, is
  ///   not an SQLite database, is another program's (or an empty one), or was written by a
  ///   newer exfilwatch.
  public init(path: String) throws(FindingsDatabaseError) {
    self.path = path
    var status = stat()
    guard stat(path, &status) == 0 else {
      throw FindingsDatabaseError(path: path, reason: String(cString: strerror(errno)))
    }
    queue = try Self.attempt(path) {
      var configuration = Configuration()
      configuration.label = "FindingsDatabase"
      configuration.readonly = true
      configuration.busyMode = .timeout(5)
      return try DatabaseQueue(path: path, configuration: configuration)
    }
    let contents = try Self.attempt(path) { [queue] in try queue.read(FindingsSchema.inspect) }
    if contents == .empty {
      throw FindingsDatabaseError(
        path: path, reason: "it is an empty database, with no findings table; is it the file given to --sink sqlite:?")
    }
    if let refusal = contents.refusal {
      throw FindingsDatabaseError(path: path, reason: refusal.reason)
    }
  }

  /// The stored findings (each incident's latest revision), oldest first (by `time`, then id).
  ///
  /// - Parameters:
  ///   - since: Only findings whose `time` (epoch ms) is at or after this.
  ///   - minimumSeverity: Only findings of this severity or a higher one.
  public func findings(
    since: Int64? = nil, minimumSeverity: Finding.Severity? = nil
  ) throws(FindingsDatabaseError) -> [StoredFinding] {
    let rows = try Self.attempt(path) { [queue] in
      try queue.read { db in
        try Row.fetchAll(
          db,
          sql: """
            SELECT \(StoredFinding.columns.joined(separator: ", ")) FROM findings
            WHERE time >= ? AND severity_id >= ?
            ORDER BY time, id
            """,
          arguments: [since ?? .min, minimumSeverity?.rawValue ?? .min])
      }
    }
    return try rows.map { row throws(FindingsDatabaseError) in
      guard let finding = StoredFinding(row: row) else {
        throw FindingsDatabaseError(
          path: path,
          reason: "finding \(row["id"] as String? ?? "?") has a severity_id or activity this version does "
            + "not know; upgrade exfilwatch")
      }
      return finding
    }
  }

  /// The `time` of the newest finding, or nil when there is none: to tell a person who asked
  /// for recent findings that the ones stored are older.
  public func newestFindingTime() throws(FindingsDatabaseError) -> Int64? {
    try Self.attempt(path) { [queue] in
      try queue.read { try Int64.fetchOne($0, sql: "SELECT max(time) FROM findings") }
    }
  }

  private static func attempt<T>(_ path: String, _ body: () throws -> T) throws(FindingsDatabaseError) -> T {
    do {
      return try body()
    } catch let error as DatabaseError {
      throw FindingsDatabaseError(path: path, reason: error.message ?? error.extendedResultCode.description)
    } catch {
      throw FindingsDatabaseError(path: path, reason: String(describing: error))
    }
  }
}

/// A findings database could not be read, and why, naming the file.
public struct FindingsDatabaseError: Error, Equatable, CustomStringConvertible {
  /// The database file.
  public var path: String
  /// The system's, SQLite's or ExfilWatch's reason: `No such file or directory`,
  /// `file is not a database`, `it is not an ExfilWatch findings database (...)`.
  public var reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String {
    "cannot read findings database '\(path)': \(reason)"
  }
}
