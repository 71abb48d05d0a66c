import GRDB

/// The layout of the state database, and how an older layout is brought up to date.
///
/// Migrations are GRDB `DatabaseMigrator` steps named `v1`, `v2`, ...; each one also writes its
/// number to `meta.schema_version`. The `meta` table, its single row and its `schema_version` and
/// `writer_version` columns must never change: they are how an *older* exfilwatch recognises a
/// file written by a newer one and refuses to touch it instead of misreading it.
///
/// Schema 1:
///
/// ```
/// meta      (id = 1, schema_version, writer_version, created_at, committed_at)   one row
/// sources   (path PK, device, inode, fingerprint_length, fingerprint, position, updated_at)
/// detector  (id = 1, state, symbols, operations BLOB)                                 zero or one row
/// delivered (sink, finding_id, version) PK, WITHOUT ROWID
/// totals    (name PK, value) WITHOUT ROWID
/// ```
///
/// Schema 2 adds the remote sinks' spool, findings not yet acknowledged, in sending order:
///
/// ```
/// spool     (sink, position) PK, finding_id, version, finding BLOB, WITHOUT ROWID
/// ```
///
/// Schema 3 keeps the detector's three blobs compressed, each one zstd frame
/// (`CompressedBlob`); its migration compresses what an older file holds.
///
/// Tables are `STRICT` (SQLite 3.37+) so a wrongly typed value is an error, not a silent
/// conversion. 64-bit unsigned values (device, inode, fingerprint) are stored as the signed
/// integer with the same bits, since SQLite integers are signed.
enum StateSchema {
  /// The newest schema this code reads and writes.
  static let currentVersion = 3

  /// The migrator that brings any older state file to `currentVersion`.
  ///
  /// - Parameter writerVersion: The ExfilWatch version recorded as the file's writer.
  static func migrator(writerVersion: String) -> DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            schema_version INTEGER NOT NULL,
            writer_version TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            committed_at TEXT
          ) STRICT;
          CREATE TABLE sources (
            path TEXT PRIMARY KEY NOT NULL,
            device INTEGER NOT NULL,
            inode INTEGER NOT NULL,
            fingerprint_length INTEGER NOT NULL,
            fingerprint INTEGER NOT NULL,
            position BLOB NOT NULL,
            updated_at INTEGER NOT NULL
          ) STRICT;
          CREATE TABLE detector (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            state BLOB NOT NULL,
            symbols BLOB NOT NULL,
            operations BLOB NOT NULL
          ) STRICT;
          CREATE TABLE delivered (
            sink TEXT NOT NULL,
            finding_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (sink, finding_id, version)
          ) STRICT, WITHOUT ROWID;
          CREATE TABLE totals (
            name TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
          ) STRICT, WITHOUT ROWID;
          """)
      try db.execute(
        sql: "INSERT INTO meta (id, schema_version, writer_version) VALUES (1, 1, ?)",
        arguments: [writerVersion])
    }
    migrator.registerMigration("v2") { db in
      try db.execute(
        sql: """
          CREATE TABLE spool (
            sink TEXT NOT NULL,
            position INTEGER NOT NULL,
            finding_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            finding BLOB NOT NULL,
            PRIMARY KEY (sink, position)
          ) STRICT, WITHOUT ROWID;
          UPDATE meta SET schema_version = 2 WHERE id = 1;
          """)
    }
    migrator.registerMigration("v3") { db in
      if let row = try Row.fetchOne(db, sql: "SELECT state, symbols, operations FROM detector WHERE id = 1") {
        let blobs = try (0..<3).map { try CompressedBlob.compressed(StateStore.bytes(row[$0])) }
        try db.execute(
          sql: "UPDATE detector SET state = ?, symbols = ?, operations = ? WHERE id = 1",
          arguments: StatementArguments(blobs))
      }
      try db.execute(sql: "UPDATE meta SET schema_version = 3 WHERE id = 1")
    }
    return migrator
  }

  /// What an opened file turned out to hold, before any migration touches it.
  enum Contents: Equatable {
    /// A new (or empty) database: migrations will create everything.
    case empty
    /// An ExfilWatch state file.
    case state(schemaVersion: Int, writerVersion: String)
    /// A database with tables that are not ours.
    case foreign
  }

  /// Looks at the file without changing it, and checks its pages.
  ///
  /// `PRAGMA quick_check` reads every page, so a damaged file (a truncated copy, flipped bits)
  /// is refused when the run starts, not discovered at commit time after findings went out. It
  /// is linear in the file's size, which stays small (positions, one detector blob, ids).
  static func inspect(_ db: Database) throws -> Contents {
    let tables = try String.fetchSet(
      db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    // GRDB creates `grdb_migrations` just before the first migration's transaction, so a run
    // killed at that moment leaves it alone and empty: that file is still a new one.
    let migrations = tables.contains("grdb_migrations")
      ? try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0 : 0
    if tables.subtracting(["grdb_migrations"]).isEmpty && migrations == 0 {
      return .empty
    }
    guard tables.contains("meta") else { return .foreign }
    let row: Row?
    do {
      row = try Row.fetchOne(
        db, sql: "SELECT schema_version, writer_version FROM meta WHERE id = 1")
    } catch DatabaseError.SQLITE_ERROR {
      return .foreign  // a `meta` table of another shape
    }
    guard let row, let version = row[0] as Int?, let writer = row[1] as String? else {
      return .foreign
    }
    let check = try String.fetchOne(db, sql: "PRAGMA quick_check(1)") ?? "no result"
    guard check == "ok" else {
      throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "quick_check: \(check)")
    }
    return .state(schemaVersion: version, writerVersion: writer)
  }
}
