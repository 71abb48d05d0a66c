import ExfilWatchTestSupport
import Glibc
import Testing

@testable import ExfilWatchState

@Suite("StateStore: commit and load")
struct StateStoreTests {
  @Test("a new file loads as an empty state")
  func newFileLoadsEmpty() throws {
    let directory = try TemporaryDirectory()
    let store = try StateStore(path: directory.path("state.db"), writerVersion: Sample.writer)
    #expect(try store.load() == StoredState())
  }

  @Test("what was committed is loaded back by a new StateStore on the same file")
  func roundTrip() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(Sample.first)
      #expect(try store.load() == Sample.afterFirst)
    }
    let reopened = try StateStore(path: path, writerVersion: Sample.writer)
    let state = try reopened.load()
    #expect(state == Sample.afterFirst)
    #expect(state.isDelivered(sink: "slack", findingID: "f-1", version: 1))
    #expect(!state.isDelivered(sink: "slack", findingID: "f-1", version: 2))
  }

  @Test("a second commit replaces sources and detector, adds deliveries, sets totals by name")
  func secondCommitReplacesAndAdds() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(Sample.first)
      try store.commit(Sample.second)
    }
    let state = try StateStore(path: path, writerVersion: Sample.writer).load()
    #expect(state == Sample.afterSecond)
    #expect(state.delivered.count == 3)
    #expect(state.detector?.symbols == [])
  }

  @Test("meta records the schema version and the version of the last writer")
  func metaRecordsWriter() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let store = try StateStore(path: path, writerVersion: "1.0.0")
      try store.commit(Sample.first)
    }
    let store = try StateStore(path: path, writerVersion: "1.1.0")
    #expect(try store.scalar("SELECT schema_version FROM meta") == "\(StateSchema.currentVersion)")
    #expect(try store.scalar("SELECT writer_version FROM meta") == "1.0.0")
    try store.commit(Sample.second)
    #expect(try store.scalar("SELECT writer_version FROM meta") == "1.1.0")
    #expect(try store.scalar("SELECT committed_at IS NOT NULL FROM meta") == "1")
  }

  @Test("the database and its WAL side files are mode 0600 even with umask 0")
  func filesAreOwnerOnly() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    let store = try withUmask(0) { () throws(StateStoreError) in
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(Sample.first)
      return store
    }
    // While the store is open, WAL mode keeps both side files next to the database.
    for file in [path, path + "-wal", path + "-shm"] {
      #expect(permissions(file) == 0o600, "\(file)")
    }
    #expect(permissions(path + "-journal") == nil)
    _ = store
  }

  @Test("closing the store folds the WAL back into the database file")
  func closeCheckpoints() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(Sample.first)
      #expect((fileSize(path + "-wal") ?? 0) > 0)
    }
    #expect(fileSize(path + "-wal") == nil)
    #expect(fileSize(path + "-shm") == nil)
    #expect((fileSize(path) ?? 0) > 300_000)
  }
}
