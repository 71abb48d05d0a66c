import ExfilWatchTestSupport
import Foundation
import Glibc
import Testing

@testable import ExfilWatchState

@Suite("StateStore: a commit is all or nothing, and durable")
struct StateStoreDurabilityTests {
  @Test("the connection runs in WAL mode with synchronous=FULL")
  func pragmas() throws {
    let directory = try TemporaryDirectory()
    let store = try StateStore(path: directory.path("state.db"), writerVersion: Sample.writer)
    #expect(try store.scalar("PRAGMA journal_mode") == "wal")
    #expect(try store.scalar("PRAGMA synchronous") == "2")  // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
  }

  @Test("an error inside the commit's transaction leaves the previous commit intact")
  func rejectedCommitRollsBack() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    let store = try StateStore(path: path, writerVersion: Sample.writer)
    try store.commit(Sample.first)
    // The duplicate path fails on its second INSERT, after the DELETE of all sources, the
    // first INSERT and nothing else: only a rollback can bring the old rows back.
    var broken = Sample.second
    broken.sources += broken.sources
    let error = #expect(throws: StateStoreError.self) { try store.commit(broken) }
    guard case .rejectedUpdate(path, _)? = error else {
      Issue.record("expected .rejectedUpdate, got \(String(describing: error))")
      return
    }
    #expect(try store.load() == Sample.afterFirst)
    #expect(try StateStore(path: path, writerVersion: Sample.writer).load() == Sample.afterFirst)
  }

  @Test("a disk that fills up during a commit leaves the previous commit intact")
  func diskFullRollsBack() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    let store = try StateStore(path: path, writerVersion: Sample.writer)
    try store.commit(Sample.second)
    // SQLite's own page limit produces the same SQLITE_FULL as a full disk, mid-transaction.
    let pages = try #require(try store.scalar("PRAGMA page_count").flatMap { Int($0) })
    try store.execute(sql: "PRAGMA max_page_count = \(pages + 2)")
    let error = #expect(throws: StateStoreError.self) { try store.commit(Sample.first) }
    guard case .ioFailure(path, .commit, _)? = error else {
      Issue.record("expected .ioFailure(commit), got \(String(describing: error))")
      return
    }
    #expect(error?.description.contains("resumes from the previous commit") == true)
    #expect(try store.load() == Sample.onlySecond)
    let reopened = try StateStore(path: path, writerVersion: Sample.writer)
    #expect(try reopened.load() == Sample.onlySecond)
  }

  @Test("the files as a kill -9 leaves them (store not closed) load the last commit")
  func survivesWithoutClose() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    let store = try StateStore(path: path, writerVersion: Sample.writer)
    try store.commit(Sample.first)
    try store.commit(Sample.second)
    // The commits live in the WAL until a checkpoint: copy the files now, as a crash would
    // leave them on disk, without the shared-memory index (rebuilt from the WAL).
    #expect((fileSize(path + "-wal") ?? 0) > 0)
    let crashed = directory.path("crashed.db")
    try FileManager.default.copyItem(atPath: path, toPath: crashed)
    try FileManager.default.copyItem(atPath: path + "-wal", toPath: crashed + "-wal")
    let recovered = try StateStore(path: crashed, writerVersion: Sample.writer)
    #expect(try recovered.load() == Sample.afterSecond)
    _ = store
  }
}
