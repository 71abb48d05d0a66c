import Foundation
import GRDB
import SystemPackage

/// The state of `exfilwatch scan` between runs: source positions, the detector's state, the
/// findings already delivered and cumulative counters, in one SQLite database file.
///
/// ```swift
/// let lock = try StateLock(statePath: path)          // one run per state file
/// let store = try StateStore(path: path, writerVersion: "1.4.0")
/// var state = try store.load()
/// // ... read sources, detect, deliver findings not in state.delivered ...
/// try store.commit(StateUpdate(sources: ..., detector: ..., newlyDelivered: ..., totals: ...))
/// ```
///
/// The store knows nothing about parsing or detection: it keeps opaque blobs and small facts.
/// Everything a run changes goes into one transaction, so a run killed at any moment (or a
/// power cut) leaves the previous commit, never a mix: a resumed run re-reads what was not
/// committed and re-delivers at most those findings, under the same ids.
///
/// ## Durability
///
/// The database runs in WAL mode with `synchronous=FULL`. In WAL mode a commit is one append to
/// the `-wal` file followed by one `fsync`, and with `FULL` that `fsync` happens before the
/// commit returns, so a returned commit survives `kill -9` and power loss (SQLite also flushes
/// the directory when it creates the `-wal` file). The rollback journal would need
/// `synchronous=EXTRA` for the same promise (with `FULL` the journal's deletion, which is the
/// commit, is not flushed) and three `fsync`s per commit. WAL needs a local file system (its
/// `-shm` index is shared memory); while a store is open the `-wal` and `-shm` side files exist
/// next to the database, with its mode (0600), and closing the store folds them back.
///
/// Take a ``StateLock`` first: the store does not stop two runs from interleaving their commits.
public final class StateStore: Sendable {
  /// The database file.
  public let path: String
  private let writerVersion: String
  private let queue: DatabaseQueue

  /// Opens the state file at `path`, creating it (mode 0600, whatever the umask) if needed,
  /// and brings an older schema up to date.
  ///
  /// A file that is damaged, belongs to another program or was written by a newer exfilwatch is
  /// refused without being modified; `reset: true` is the operator's explicit way out.
  ///
  /// - Parameters:
  ///   - path: The database file. Its directory must exist.
  ///   - writerVersion: This program's version, recorded in the file so that an older version
  ///     refusing it can say who wrote it.
  ///   - reset: Delete the existing state file (and its side files) first and start over.
  /// - Throws: ``StateStoreError``: `.corrupt`, `.notStateFile`, `.newerSchema`, `.unreadable`,
  ///   `.busy` or `.ioFailure`.
  public init(path: String, writerVersion: String, reset: Bool = false) throws(StateStoreError) {
    self.path = path
    self.writerVersion = writerVersion
    if reset { try Self.removeFiles(path) }
    try Self.prepareFile(path)
    queue = try Self.translating(path, .open) {
      try DatabaseQueue(path: path, configuration: Self.configuration())
    }
    try Self.translating(path, .open) { [queue] in
      let migrator = StateSchema.migrator(writerVersion: writerVersion)
      let contents = try queue.read { db in
        (try StateSchema.inspect(db), try migrator.hasBeenSuperseded(db))
      }
      switch contents {
      case (.foreign, _):
        throw StateStoreError.notStateFile(path: path)
      case (.state(let version, let writer), let superseded)
      where version > StateSchema.currentVersion || superseded:
        throw StateStoreError.newerSchema(
          path: path, writerVersion: writer, schemaVersion: version,
          supportedVersion: StateSchema.currentVersion)
      default:
        try queue.writeWithoutTransaction { db in try Self.makeDurable(db, path: path) }
        try migrator.migrate(queue)
      }
    }
  }

  // MARK: - API

  /// Reads everything the last commit stored (an empty state for a new file).
  public func load() throws(StateStoreError) -> StoredState {
    try Self.translating(path, .load) { [queue, path] in
      try queue.read { db in
        var state = StoredState()
        state.sources = try Row.fetchAll(
          db,
          sql: """
            SELECT path, device, inode, fingerprint_length, fingerprint, position, updated_at
            FROM sources ORDER BY path
            """
        ).map { row in
          StoredSource(
            path: row[0], device: UInt64(bitPattern: row[1]), inode: UInt64(bitPattern: row[2]),
            fingerprintLength: row[3], fingerprint: UInt64(bitPattern: row[4]),
            position: Self.bytes(row[5]), updatedAtMilliseconds: row[6])
        }
        if let row = try Row.fetchOne(db, sql: "SELECT state, symbols, operations FROM detector WHERE id = 1") {
          let blobs = try ["state", "symbols", "operations"].enumerated().map { column, name in
            do {
              return try CompressedBlob.decompressed(Data.fromDatabaseValue(row[column]) ?? Data())
            } catch {
              throw StateStoreError.corrupt(path: path, detail: "the detector's \(name): \(error)")
            }
          }
          state.detector = DetectorSnapshot(state: blobs[0], symbols: blobs[1], operations: blobs[2])
        }
        for row in try Row.fetchAll(db, sql: "SELECT sink, finding_id, version FROM delivered") {
          state.delivered.insert(DeliveredFinding(sink: row[0], findingID: row[1], version: row[2]))
        }
        for row in try Row.fetchAll(db, sql: "SELECT name, value FROM totals") {
          state.totals[row[0]] = row[1]
        }
        for row in try Row.fetchAll(
          db, sql: "SELECT sink, finding_id, version, finding FROM spool ORDER BY sink, position")
        {
          state.spool[row[0], default: []].append(
            SpooledMessage(findingID: row[1], version: row[2], finding: Self.bytes(row[3])))
        }
        return state
      }
    }
  }

  /// Writes `update` in one transaction: replaces all sources and the detector snapshot, adds
  /// the newly delivered findings, sets the named totals, replaces the named sinks' spools.
  ///
  /// When this returns, the commit is on disk (see Durability above). When it throws, nothing
  /// of `update` is stored and the previous commit is intact.
  ///
  /// - Throws: ``StateStoreError``: `.ioFailure` (disk full, I/O error), `.busy`,
  ///   `.rejectedUpdate` (two sources with the same path), `.corrupt`.
  public func commit(_ update: StateUpdate) throws(StateStoreError) {
    try Self.translating(path, .commit) { [queue, writerVersion] in
      // Compressed before the transaction, which holds SQLite's write lock.
      let detector = try [
        update.detector.compressedState ?? CompressedBlob.compressed(update.detector.state),
        CompressedBlob.compressed(update.detector.symbols), CompressedBlob.compressed(update.detector.operations),
      ]
      try queue.writeWithoutTransaction { db in
        // IMMEDIATE takes the write lock up front, so a busy file fails before any work.
        try db.inTransaction(.immediate) {
          try Self.write(update, compressedDetector: detector, writerVersion: writerVersion, to: db)
          return .commit
        }
      }
    }
  }

  // MARK: - Internals

  /// `compressedDetector`: the update's detector blobs as stored (`CompressedBlob`).
  private static func write(
    _ update: StateUpdate, compressedDetector: [Data], writerVersion: String, to db: Database
  ) throws {
    try db.execute(sql: "DELETE FROM sources")
    // `coalesce(?, x'')`: SQLite binds an empty blob given without a buffer as NULL.
    let insertSource = try db.makeStatement(
      sql: """
        INSERT INTO sources
          (path, device, inode, fingerprint_length, fingerprint, position, updated_at)
        VALUES (?, ?, ?, ?, ?, coalesce(?, x''), ?)
        """)
    for source in update.sources {
      try insertSource.execute(arguments: [
        source.path, Int64(bitPattern: source.device), Int64(bitPattern: source.inode),
        source.fingerprintLength, Int64(bitPattern: source.fingerprint), Data(source.position),
        source.updatedAtMilliseconds,
      ])
    }
    try db.execute(
      sql: "INSERT OR REPLACE INTO detector (id, state, symbols, operations) VALUES (1, ?, ?, ?)",
      arguments: StatementArguments(compressedDetector))
    let insertDelivered = try db.makeStatement(
      sql: "INSERT OR IGNORE INTO delivered (sink, finding_id, version) VALUES (?, ?, ?)")
    for finding in update.newlyDelivered {
      try insertDelivered.execute(arguments: [finding.sink, finding.findingID, finding.version])
    }
    let setTotal = try db.makeStatement(
      sql: """
        INSERT INTO totals (name, value) VALUES (?, ?)
        ON CONFLICT (name) DO UPDATE SET value = excluded.value
        """)
    for (name, value) in update.totals {
      try setTotal.execute(arguments: [name, value])
    }
    let insertSpooled = try db.makeStatement(
      sql: "INSERT INTO spool (sink, position, finding_id, version, finding) VALUES (?, ?, ?, ?, coalesce(?, x''))")
    for (sink, messages) in update.spool {
      try db.execute(sql: "DELETE FROM spool WHERE sink = ?", arguments: [sink])
      for (position, message) in messages.enumerated() {
        try insertSpooled.execute(arguments: [sink, position, message.findingID, message.version, Data(message.finding)])
      }
    }
    try db.execute(
      sql: """
        UPDATE meta SET writer_version = ?,
          committed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1
        """,
      arguments: [writerVersion])
  }

  private static func configuration() -> Configuration {
    var configuration = Configuration()
    configuration.label = "ExfilWatchState"
    // Only another program (a backup, an sqlite3 shell) can hold SQLite's lock: runs exclude
    // each other with StateLock. Wait a little for it, then say so.
    configuration.busyMode = .timeout(5)
    return configuration
  }

  /// WAL mode and `synchronous=FULL` (see Durability) on the queue's one connection, set only
  /// once the file is known to be ours: switching to WAL rewrites the file's header, which
  /// another program's database must be spared.
  private static func makeDurable(_ db: Database, path: String) throws {
    // Not GRDB's `journalMode = .wal`: that also sets synchronous=NORMAL, which may lose the
    // last commits on power loss.
    let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
    guard mode == "wal" else {
      throw StateStoreError.ioFailure(
        path: path, operation: .open,
        detail: "SQLite could not switch to WAL mode (got \(mode ?? "nothing")); "
          + "is the file on a network file system?")
    }
    try db.execute(sql: "PRAGMA synchronous = FULL")
  }

  /// Creates the file with mode 0600 before SQLite does (SQLite would use 0644 minus umask),
  /// and fails early, with the system's reason, if it cannot be opened for writing: SQLite
  /// would silently fall back to read-only and fail later, at commit.
  private static func prepareFile(_ path: String) throws(StateStoreError) {
    let descriptor: FileDescriptor
    let type: FileType
    do throws(Errno) {
      descriptor = try PrivateFile.open(path).descriptor
    } catch {
      throw .unreadable(path: path, detail: error.description)
    }
    defer { try? descriptor.close() }
    do throws(Errno) {
      type = try descriptor.stat().type
    } catch {
      throw .unreadable(path: path, detail: error.description)
    }
    guard type == .regular else { throw .unreadable(path: path, detail: "not a regular file") }
  }

  /// Deletes the database and every side file SQLite may have left (WAL, shared-memory index,
  /// rollback journal of an older build).
  private static func removeFiles(_ path: String) throws(StateStoreError) {
    for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
      do throws(Errno) {
        try PrivateFile.remove(file)
      } catch {
        throw StateStoreError.unreadable(path: file, detail: "cannot delete: \(error.description)")
      }
    }
  }

  static func bytes(_ value: DatabaseValue) -> [UInt8] {
    (Data.fromDatabaseValue(value)).map { [UInt8]($0) } ?? []
  }

  private static func translating<T>(
    _ path: String, _ operation: StateStoreError.Operation, _ body: () throws -> T
  ) throws(StateStoreError) -> T {
    do {
      return try body()
    } catch {
      throw StateStoreError(error, path: path, operation: operation)
    }
  }
}

// MARK: - Test hooks

extension StateStore {
  /// Runs `sql` on the store's own connection (tests: pragmas, simulated newer files).
  func execute(sql: String) throws {
    try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
  }

  /// The first column of the first row of `sql`, as text, read on the store's own connection
  /// (pragmas such as `synchronous` are per connection).
  func scalar(_ sql: String) throws -> String? {
    try queue.writeWithoutTransaction { try String.fetchOne($0, sql: sql) }
  }
}
