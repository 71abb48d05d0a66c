import ExfilWatchSinks
import ExfilWatchTestSupport
import Foundation
import Testing

@Suite("--sink specifications")
struct SinkSpecificationTests {
  @Test("accepted forms parse and print back as written (a webhook without its path)", arguments: [
    ("stdout", SinkSpecification.standardOutput),
    ("jsonl:findings.jsonl", .jsonLines(path: "findings.jsonl")),
    ("jsonl:/var/log/exfilwatch/findings.jsonl", .jsonLines(path: "/var/log/exfilwatch/findings.jsonl")),
    ("jsonl:dir:with:colons.jsonl", .jsonLines(path: "dir:with:colons.jsonl")),
    ("sqlite:/var/lib/exfilwatch/findings.db", .sqlite(path: "/var/lib/exfilwatch/findings.db")),
    ("webhook:https://soar.example.com/hooks/x?tenant=1", .webhook(WebhookOptions(url: URL(string: "https://soar.example.com/hooks/x?tenant=1")!))),
    ("webhook:https://hooks.slack.com/services/T0/B0/XX", .webhook(WebhookOptions(url: URL(string: "https://hooks.slack.com/services/T0/B0/XX")!, format: .slack))),
    ("syslog:udp://siem.example.com:514", .syslog(SyslogOptions(transport: .udp(host: "siem.example.com", port: 514)))),
    ("syslog:tcp://[::1]:6514", .syslog(SyslogOptions(transport: .tcp(host: "::1", port: 6514)))),
    ("syslog:unix:///dev/log", .syslog(SyslogOptions(transport: .unix(path: "/dev/log")))),
  ])
  func accepts(text: String, specification: SinkSpecification) throws {
    #expect(try SinkSpecification(parsing: text) == specification)
    guard case .webhook(let options) = specification else {
      #expect(specification.description == text)
      #expect(specification.defaultName == text)
      return
    }
    let host = try #require(options.url.host)
    #expect(specification.description == "webhook:https://\(host)/…")
    #expect(specification.defaultName.hasPrefix("webhook:https://\(host)/…#"))
    #expect(!specification.defaultName.contains(options.url.path), "the path may be a secret")
  }

  @Test("two webhooks on one host have their own names; IPv6 hosts print in brackets")
  func webhookNames() throws {
    let first = try SinkSpecification(parsing: "webhook:https://hooks.slack.com/services/T0/B0/AAAA")
    let second = try SinkSpecification(parsing: "webhook:https://hooks.slack.com/services/T0/B0/BBBB")
    #expect(first.description == second.description)
    #expect(first.defaultName != second.defaultName)
    #expect(try SinkSpecification(parsing: "webhook:http://[::1]:8080/x").description == "webhook:http://[::1]:8080/…")
    #expect(try SinkSpecification(parsing: "webhook:http://127.0.0.1:8080").description == "webhook:http://127.0.0.1:8080")
  }

  @Test("anything else is rejected with the accepted forms in the message", arguments: [
    ("", "unknown sink"), ("STDOUT", "unknown sink"), ("jsonl", "unknown sink"),
    ("syslog2:udp://siem:514", "unknown sink"), ("jsonl:", "jsonl needs a file path"),
    ("sqlite:", "sqlite needs a file path"), ("webhook:ftp://host/x", "webhook needs an http"),
    ("webhook:/relative", "webhook needs an http"), ("webhook:https://", "webhook needs an http"),
    ("syslog:udp://siem", "syslog: "), ("syslog:smtp://siem:25", "syslog: "),
  ])
  func rejects(text: String, problem: String) throws {
    let error = try #require(throws: SinkSpecificationError.self) { try SinkSpecification(parsing: text) }
    // A webhook's URL may hold its token: it is not repeated.
    let shown = text.hasPrefix("webhook:") ? "webhook:…" : text
    #expect(error.text == shown)
    #expect(
      error.description == "invalid sink '\(shown)': \(error.problem); expected one of: "
        + SinkSpecification.acceptedForms.joined(separator: ", "))
    #expect(error.problem.hasPrefix(problem))
  }

  @Test("each specification opens its sink; a jsonl sink opens its file at once; a webhook is remote")
  func opensSinks() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("findings.jsonl")
    guard case .local(let standardOutput) = try SinkSpecification.standardOutput.open(productVersion: "0.1.0"),
      case .local(let jsonLines) = try SinkSpecification.jsonLines(path: path).open(productVersion: "0.1.0"),
      case .remote(let webhook, let timeout) = try SinkSpecification(parsing: "webhook:https://h.example/secret/path")
        .open(productVersion: "0.1.0")
    else {
      Issue.record("a sink opened as the wrong kind")
      return
    }
    #expect(standardOutput is StandardOutputSink)
    #expect((jsonLines as? JSONLinesSink)?.path == path)
    #expect(try readBytes(path).isEmpty)
    #expect(webhook.destination == "webhook https://h.example/…")
    #expect(timeout == 10)
  }
}
