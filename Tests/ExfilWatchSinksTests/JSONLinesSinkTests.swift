import ExfilWatchSinks
import ExfilWatchTestSupport
import Foundation
import Glibc
import Testing

@Suite("JSON lines sink")
struct JSONLinesSinkTests {
  @Test("appends to an existing file across sink instances; after flush every line is a whole event")
  func appendsAcrossInstances() throws {
    let directory = try TemporaryDirectory()
    let existing = Array("{\"earlier\":\"run\"}\n".utf8)
    let path = try directory.write("findings.jsonl", existing)

    var first = try JSONLinesSink(path: path, productVersion: "0.1.0")
    first.write(SampleFindings.finding())
    #expect(try readBytes(path) == existing, "nothing is written before the batch ends")
    try first.flush()

    var second = try JSONLinesSink(path: path, productVersion: "0.1.0")
    second.write(SampleFindings.finding(activity: .update, revision: 2))
    second.write(SampleFindings.finding(activity: .close, revision: 3))
    try second.flush()

    let contents = try readBytes(path)
    #expect(Array(contents.prefix(existing.count)) == existing)
    #expect(contents.last == UInt8(ascii: "\n"))
    let lines = contents.split(separator: UInt8(ascii: "\n")).dropFirst().map(Array.init)
    #expect(lines.count == 3)
    let events = try lines.map(decodedEvent)
    #expect(events.map { value(at: "metadata.uid", in: $0) as? String } == [
      "exw-1f3a9c0e2b7d4e51-1", "exw-1f3a9c0e2b7d4e51-2", "exw-1f3a9c0e2b7d4e51-3",
    ])
    for line in lines {
      #expect(try bundledValidator.get().validate(jsonLine: line) == [])
    }
  }

  @Test("a pipe (a FIFO read by a shipper) takes the lines: a file that cannot be synced is no failure")
  func writesToAPipe() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("to-shipper")
    #expect(mkfifo(path, 0o600) == 0)
    let received = LockedBytes()
    let reader = Thread {
      received.set(FileHandle(forReadingAtPath: path).map { [UInt8]($0.readDataToEndOfFile()) } ?? [])
    }
    reader.start()
    var sink = try JSONLinesSink(path: path, productVersion: "0.1.0")
    sink.write(SampleFindings.finding())
    try sink.flush()
    sink = try JSONLinesSink(path: directory.path("other.jsonl"), productVersion: "0.1.0")
    let deadline = Date().addingTimeInterval(10)
    while received.value == nil && Date() < deadline { usleep(10_000) }
    let lines = try #require(received.value).split(separator: UInt8(ascii: "\n"))
    #expect(lines.count == 1)
    #expect(try bundledValidator.get().validate(jsonLine: Array(lines[0])) == [])
  }

  @Test("a new file is created readable by log shippers (0644 before umask)")
  func createsFile() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("new.jsonl")
    var sink = try JSONLinesSink(path: path, productVersion: "0.1.0")
    try sink.flush()
    var status = stat()
    #expect(stat(path, &status) == 0)
    let mask = umask(0)
    umask(mask)
    #expect(status.st_mode & 0o777 == 0o644 & ~mask)
    #expect(try readBytes(path).isEmpty)
  }

  @Test("a path that cannot be opened for writing fails at once, naming the path and the reason")
  func unwritablePath() throws {
    let directory = try TemporaryDirectory()
    let error = try #require(throws: SinkError.self) {
      try JSONLinesSink(path: directory.url.path, productVersion: "0.1.0")
    }
    #expect(error.sink == "jsonl")
    #expect(error.destination == directory.url.path)
    #expect(error.operation == .open)
    #expect(error.errno == EISDIR)
    #expect(error.description == "jsonl sink: cannot open '\(directory.url.path)': Is a directory")
  }

  @Test("a missing parent directory is not created")
  func missingDirectory() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("no/such/findings.jsonl")
    let error = try #require(throws: SinkError.self) {
      try JSONLinesSink(path: path, productVersion: "0.1.0")
    }
    #expect(error.errno == ENOENT && error.description.contains(path))
  }
}

/// Bytes handed from a reader thread to the test.
private final class LockedBytes: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes: [UInt8]?
  func set(_ value: [UInt8]) { lock.withLock { bytes = value } }
  var value: [UInt8]? { lock.withLock { bytes } }
}
