import ExfilWatchSinks
import ExfilWatchTestSupport
import Testing

@Suite("--sink specifications")
struct SinkSpecificationTests {
  @Test("accepted forms parse and print back as written", arguments: [
    ("stdout", SinkSpecification.standardOutput),
    ("jsonl:findings.jsonl", .jsonLines(path: "findings.jsonl")),
    ("jsonl:/var/log/exfilwatch/findings.jsonl", .jsonLines(path: "/var/log/exfilwatch/findings.jsonl")),
    ("jsonl:dir:with:colons.jsonl", .jsonLines(path: "dir:with:colons.jsonl")),
  ])
  func accepts(text: String, specification: SinkSpecification) throws {
    #expect(try SinkSpecification(parsing: text) == specification)
    #expect(specification.description == text)
  }

  @Test("anything else is rejected with the accepted forms in the message", arguments: [
    ("", "unknown sink"), ("STDOUT", "unknown sink"), ("jsonl", "unknown sink"),
    ("syslog:udp://siem:514", "unknown sink"), ("jsonl:", "jsonl needs a file path"),
  ])
  func rejects(text: String, problem: String) throws {
    let error = try #require(throws: SinkSpecificationError.self) { try SinkSpecification(parsing: text) }
    #expect(error.text == text)
    #expect(
      error.description == "invalid sink '\(text)': \(error.problem); expected one of: stdout, jsonl:PATH")
    #expect(error.problem.hasPrefix(problem))
  }

  @Test("each specification makes its sink; a jsonl sink opens its file at once")
  func makesSinks() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("findings.jsonl")
    #expect(try SinkSpecification.standardOutput.makeSink(productVersion: "0.1.0") is StandardOutputSink)
    let sink = try SinkSpecification.jsonLines(path: path).makeSink(productVersion: "0.1.0")
    #expect((sink as? JSONLinesSink)?.path == path)
    #expect(try readBytes(path).isEmpty)
  }
}
