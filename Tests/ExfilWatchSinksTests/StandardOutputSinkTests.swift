import ExfilWatchDetector
import ExfilWatchSinks
import ExfilWatchTestSupport
import Glibc
import Testing

@Suite("human summary line and the standard output sink")
struct StandardOutputSinkTests {
  @Test("the line says when, how bad, who, how much against normal, and which finding")
  func summaryLine() {
    #expect(
      FindingSummaryLine(SampleFindings.finding()).description
        == "2025-07-04T21:16:00Z HIGH NEW client=\"Data Loader\" actor=svc.sync@acme.example"
        + " ip=203.0.113.7: 612,000 records in 5m (Contact, Account), typical 340, busiest 680,"
        + " 1800x, score 14.2 exw-1f3a9c0e2b7d4e51")
  }

  @Test("read events, small baselines and multiples keep a decimal; CLOSED and CRITICAL read as such")
  func readsAndSmallNumbers() {
    let evidence = SampleFindings.evidence(metric: .reads, score: 4.04, multiple: 3.46)
    let line = FindingSummaryLine(
      SampleFindings.finding(activity: .close, severity: .critical, evidence: evidence)
    ).description
    #expect(line.hasPrefix("2025-07-04T21:16:00Z CRITICAL CLOSED "))
    #expect(line.contains(": 612 reads in 5m (Contact, Account), typical 3.5, busiest 7.0, 3.5x, score 4.0 "))
  }

  @Test("the flagged key is not repeated; placeholders are left out")
  func whoWithoutRepeats() {
    let evidence = SampleFindings.evidence(
      actors: [Tally(name: Tally.otherName, records: 5, reads: 1)], clients: [],
      sourceIPs: [Tally(name: Tally.noneName, records: 5, reads: 1)], objects: [])
    let line = FindingSummaryLine(SampleFindings.finding(evidence: evidence)).description
    #expect(line.contains(" NEW client=\"Data Loader\": 612,000 records in 5m, typical 340, "))
  }

  @Test("text from the logs cannot break the line or drive the terminal")
  func escapesLogText() {
    let evidence = SampleFindings.evidence(
      actors: [Tally(name: "evil\u{1B}[2J\n\u{202E}user \"x\"", records: 5, reads: 1)])
    let line = FindingSummaryLine(SampleFindings.finding(evidence: evidence)).description
    #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" })
    #expect(line.contains(#"actor="evil\u{1B}[2J\n\u{202E}user \"x\"""#))
  }

  @Test("the sink writes one line per finding to its descriptor, at flush")
  func writesToDescriptor() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("stdout.txt")
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    var sink = StandardOutputSink(descriptor: descriptor)
    sink.write(SampleFindings.finding())
    sink.write(SampleFindings.finding(activity: .update, revision: 2))
    #expect(try readBytes(path).isEmpty)
    try sink.flush()
    let lines = String(decoding: try readBytes(path), as: UTF8.self).split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines[0] == FindingSummaryLine(SampleFindings.finding()).description)
    #expect(lines[1].contains(" HIGH UPDATE ") && lines[1].contains("612,000 records"))
  }

  @Test("a descriptor that cannot be written gives a SinkError")
  func unwritableDescriptor() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("read-only.txt", [])
    let descriptor = open(path, O_RDONLY)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    var sink = StandardOutputSink(descriptor: descriptor)
    sink.write(SampleFindings.finding())
    let error = try #require(throws: SinkError.self) { try sink.flush() }
    #expect(error.sink == "stdout" && error.operation == .write && error.errno == EBADF)
    #expect(error.destination == "file descriptor \(descriptor)")
  }
}
