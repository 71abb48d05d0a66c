import GRDB

/// The layout of the findings database (`--sink sqlite:PATH`), and how a file is recognised as
/// one before anything is written to it.
///
/// Migrations are GRDB `DatabaseMigrator` steps named `v1`, `v2`, ...; each one also writes its
/// number to `meta.schema_version`. As in the state file, the `meta` table and its
/// `schema_version` and `writer_version` columns never change: they are how an older exfilwatch
/// recognises a file of a newer one and refuses it instead of misreading it.
///
/// Schema 1:
///
/// ```
/// meta      (id = 1, schema_version, writer_version, created_at)                   one row
/// findings  (id PK, version, time, first_seen, last_seen, severity, severity_id, activity,
///            analytic, dimension, key, horizon, records, reads, baseline, score, tenant,
///            title, description, json)                                 one row per incident
/// index findings_time (time); index findings_dimension_key (dimension, key)
/// ```
///
/// One row per incident holds its latest revision (`version`); `json` is that revision's whole
/// OCSF Detection Finding, the other columns are what people filter and sort on with plain SQL.
/// Times are UTC epoch milliseconds, as everywhere in ExfilWatch; `severity` and `activity` are
/// the OCSF captions (`High`, `Create`). Tables are `STRICT`, so a wrongly typed value is an
/// error, not a silent conversion.
enum FindingsSchema {
  /// The newest schema this code reads and writes.
  static let currentVersion = 1

  /// The migrator that brings any older findings database to `currentVersion`.
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
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
          ) STRICT;
          CREATE TABLE findings (
            id TEXT PRIMARY KEY NOT NULL,
            version INTEGER NOT NULL,
            time INTEGER NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            severity TEXT NOT NULL,
            severity_id INTEGER NOT NULL,
            activity TEXT NOT NULL,
            analytic TEXT NOT NULL,
            dimension TEXT NOT NULL,
            key TEXT NOT NULL,
            horizon TEXT NOT NULL,
            records INTEGER NOT NULL,
            reads INTEGER NOT NULL,
            baseline REAL NOT NULL,
            score REAL NOT NULL,
            tenant TEXT,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            json TEXT NOT NULL
          ) STRICT;
          CREATE INDEX findings_time ON findings (time);
          CREATE INDEX findings_dimension_key ON findings (dimension, key);
          """)
      try db.execute(
        sql: "INSERT INTO meta (id, schema_version, writer_version) VALUES (1, 1, ?)",
        arguments: [writerVersion])
    }
    return migrator
  }

  /// What an opened file turned out to hold, before any migration touches it.
  enum Contents: Equatable {
    /// A new (or empty) database: migrations will create everything.
    case empty
    /// An ExfilWatch findings database.
    case findings(schemaVersion: Int, writerVersion: String)
    /// A database with tables that are not ours (another program's, or an ExfilWatch state file).
    case foreign(tables: [String])

    /// Why a file holding this must be left alone, or nil when it can be used (an empty one is
    /// created by the migrator).
    var refusal: FindingsFileRefusal? {
      switch self {
      case .empty:
        return nil
      case .findings(let version, let writer) where version > FindingsSchema.currentVersion:
        return FindingsFileRefusal(
          reason: "it was written by ExfilWatch \(writer) with findings schema \(version) and this "
            + "version reads up to schema \(FindingsSchema.currentVersion); upgrade exfilwatch")
      case .findings:
        return nil
      case .foreign(let tables):
        let shown = tables.prefix(6).joined(separator: ", ") + (tables.count > 6 ? ", ..." : "")
        return FindingsFileRefusal(
          reason: "it is not an ExfilWatch findings database (it holds the tables \(shown)); it "
            + "was left untouched")
      }
    }
  }

  /// Looks at the file without changing it.
  static func inspect(_ db: Database) throws -> Contents {
    let tables = try String.fetchSet(
      db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    // GRDB creates `grdb_migrations` just before the first migration's transaction, so a run
    // killed at that moment leaves it alone and empty: that file is still a new one.
    let migrations =
      tables.contains("grdb_migrations")
      ? try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0 : 0
    if tables.subtracting(["grdb_migrations"]).isEmpty && migrations == 0 {
      return .empty
    }
    // The state file has a `meta` table too: `findings` tells the two apart.
    guard tables.isSuperset(of: ["meta", "findings"]) else { return .foreign(tables: tables.sorted()) }
    let row: Row?
    do {
      row = try Row.fetchOne(db, sql: "SELECT schema_version, writer_version FROM meta WHERE id = 1")
    } catch DatabaseError.SQLITE_ERROR {
      return .foreign(tables: tables.sorted())  // a `meta` table of another shape
    }
    guard let row, let version = row[0] as Int?, let writer = row[1] as String? else {
      return .foreign(tables: tables.sorted())
    }
    return .findings(schemaVersion: version, writerVersion: writer)
  }
}

/// Why a file is not used as a findings database, in words that follow "cannot open PATH:".
struct FindingsFileRefusal: Error, Equatable {
  var reason: String
}
