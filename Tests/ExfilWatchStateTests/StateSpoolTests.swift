import ExfilWatchTestSupport
import GRDB
import Testing

@testable import ExfilWatchState

@Suite("StateStore: the remote sinks' spool")
struct StateSpoolTests {
  static let messages = (0 ..< 5).map { index in
    SpooledMessage(findingID: "exw-\(index)", version: index % 2 + 1, finding: Array("{\"n\":\(index)}".utf8) + [0, 255])
  }

  @Test("each sink's spool comes back in its order; a commit replaces only the sinks it names")
  func spoolRoundTrip() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    var update = Sample.first
    update.spool = ["webhook:a": Array(Self.messages.reversed()), "syslog:b": [Self.messages[0]]]
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      try store.commit(update)
      var next = Sample.second
      next.spool = ["webhook:a": Array(Self.messages.prefix(2))]
      try store.commit(next)
    }
    let state = try StateStore(path: path, writerVersion: Sample.writer).load()
    #expect(state.spool["webhook:a"] == Array(Self.messages.prefix(2)))
    #expect(state.spool["syslog:b"] == [Self.messages[0]])
    var emptied = Sample.second
    emptied.spool = ["webhook:a": []]
    let store = try StateStore(path: path, writerVersion: Sample.writer)
    try store.commit(emptied)
    #expect(try store.load().spool == ["syslog:b": [Self.messages[0]]])
  }

  @Test("a schema 1 file (before the spool) is brought up to date and keeps what it held")
  func migratesSchemaOne() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    do {
      let queue = try DatabaseQueue(path: path)
      try StateSchema.migrator(writerVersion: "0.1.0").migrate(queue, upTo: "v1")
    }
    do {
      let store = try StateStore(path: path, writerVersion: Sample.writer)
      #expect(try store.scalar("SELECT schema_version FROM meta") == "\(StateSchema.currentVersion)")
      try store.commit(Sample.first)
    }
    #expect(try StateStore(path: path, writerVersion: Sample.writer).load() == Sample.afterFirst)
  }
}
