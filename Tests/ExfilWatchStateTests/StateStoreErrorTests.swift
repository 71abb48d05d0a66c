import ExfilWatchTestSupport
import Foundation
import Glibc
import GRDB
import Testing

@testable import ExfilWatchState

@Suite("StateStore: files it must refuse")
struct StateStoreErrorTests {
  @Test("a file of random bytes is refused as corrupt, naming it; reset starts clean")
  func randomBytes() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("state.db", Sample.pattern(count: 8192, seed: 99))
    let error = #expect(throws: StateStoreError.self) {
      try StateStore(path: path, writerVersion: Sample.writer)
    }
    guard case .corrupt(path, let detail)? = error else {
      Issue.record("expected .corrupt, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("not a database"))
    #expect(error?.description.contains(path) == true)
    #expect(error?.description.contains("--reset-state") == true)
    #expect(try readBytes(path) == Sample.pattern(count: 8192, seed: 99), "left untouched")

    let store = try StateStore(path: path, writerVersion: Sample.writer, reset: true)
    #expect(try store.load() == StoredState())
    #expect(permissions(path) == 0o600)
    try store.commit(Sample.first)
    #expect(try store.load() == Sample.afterFirst)
  }

  @Test("a truncated database is refused as corrupt when opened, before any run starts")
  func truncated() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(Sample.first)
    }
    let size = try #require(fileSize(path))
    #expect(truncate(path, off_t(size / 2)) == 0)
    let error = #expect(throws: StateStoreError.self) {
      try StateStore(path: path, writerVersion: Sample.writer)
    }
    guard case .corrupt(path, _)? = error else {
      Issue.record("expected .corrupt, got \(String(describing: error))")
      return
    }
    let store = try StateStore(path: path, writerVersion: Sample.writer, reset: true)
    #expect(try store.load() == StoredState())
  }

  @Test("a damaged page in a table the open does not read is still refused when opening")
  func damagedPage() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    let offset: Int
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(Sample.first)
      let root = try #require(
        try store.scalar("SELECT rootpage FROM sqlite_master WHERE name = 'delivered'")
          .flatMap { Int($0) })
      let pageSize = try #require(try store.scalar("PRAGMA page_size").flatMap { Int($0) })
      offset = (root - 1) * pageSize
    }  // closed: the WAL is folded into the file
    // Byte 0 of a b-tree page is its type (2, 5, 10 or 13); 0 is none of them.
    let descriptor = open(path, O_WRONLY)
    try #require(descriptor >= 0)
    var zero: UInt8 = 0
    #expect(pwrite(descriptor, &zero, 1, off_t(offset)) == 1)
    close(descriptor)

    let error = #expect(throws: StateStoreError.self) {
      try StateStore(path: path, writerVersion: Sample.writer)
    }
    guard case .corrupt(path, let detail)? = error else {
      Issue.record("expected .corrupt, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("quick_check"))
  }

  @Test("a newer schema version in meta is refused, naming writer and versions; reset starts clean")
  func newerSchema() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(Sample.first)
      try store.execute(sql: "UPDATE meta SET schema_version = 99, writer_version = '9.9.0'")
    }
    let expected = StateStoreError.newerSchema(
      path: path, writerVersion: "9.9.0", schemaVersion: 99,
      supportedVersion: StateSchema.currentVersion)
    #expect(throws: expected) { try StateStore(path: path, writerVersion: Sample.writer) }
    // Refused without being modified: a second attempt sees the same file.
    #expect(throws: expected) { try StateStore(path: path, writerVersion: Sample.writer) }
    #expect(
      expected.description
        == "state file \(path) was written by ExfilWatch 9.9.0 (state schema 99); this version "
        + "reads up to schema \(StateSchema.currentVersion); upgrade exfilwatch, or use "
        + "--reset-state to start over")

    let store = try StateStore(path: path, writerVersion: Sample.writer, reset: true)
    #expect(try store.load() == StoredState())
    #expect(try store.scalar("SELECT schema_version FROM meta") == "\(StateSchema.currentVersion)")
  }

  @Test("a migration this version does not know is refused as newer")
  func unknownMigration() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
    }
    let error = #expect(throws: StateStoreError.self) {
      try StateStore(path: path, writerVersion: Sample.writer)
    }
    guard case .newerSchema(path, Sample.writer, _, StateSchema.currentVersion)? = error else {
      Issue.record("expected .newerSchema, got \(String(describing: error))")
      return
    }
  }

  @Test("an SQLite database of another program is refused and left untouched")
  func foreignDatabase() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("other.db")
    do {
      // Another program's database, in SQLite's default rollback-journal mode: switching it to
      // WAL would rewrite its header.
      let other = try DatabaseQueue(path: path)
      try other.write { try $0.execute(sql: "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)") }
    }
    let before = try readBytes(path)
    #expect(throws: StateStoreError.notStateFile(path: path)) {
      try StateStore(path: path, writerVersion: Sample.writer)
    }
    #expect(try readBytes(path) == before)
  }

  @Test("a path that cannot be opened read-write is unreadable, naming it")
  func unopenable() throws {
    let directory = try TemporaryDirectory()
    let isDirectory = directory.path("a-directory")
    try FileManager.default.createDirectory(atPath: isDirectory, withIntermediateDirectories: false)
    let missingParent = directory.path("missing/state.db")
    for path in [isDirectory, missingParent] {
      let error = #expect(throws: StateStoreError.self) {
        try StateStore(path: path, writerVersion: Sample.writer)
      }
      guard case .unreadable(path, _)? = error else {
        Issue.record("expected .unreadable for \(path), got \(String(describing: error))")
        continue
      }
      #expect(error?.description.contains("cannot open state file \(path)") == true)
    }
  }

  @Test("a state file this user may not write is unreadable, not silently read-only")
  func permissionDenied() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(Sample.first)
    }
    // root ignores permission bits; the immutable attribute stops root too (EPERM).
    let asRoot = geteuid() == 0
    if asRoot {
      _ = try runToolChecked("chattr", ["+i", path])
    } else {
      #expect(chmod(path, 0o400) == 0)
    }
    defer {
      if asRoot { _ = try? runToolChecked("chattr", ["-i", path]) }
    }
    let error = #expect(throws: StateStoreError.self) {
      try StateStore(path: path, writerVersion: Sample.writer)
    }
    guard case .unreadable(path, let detail)? = error else {
      Issue.record("expected .unreadable, got \(String(describing: error))")
      return
    }
    #expect(detail.contains(asRoot ? "Operation not permitted" : "Permission denied"))
  }
}
