import ExfilWatchConfiguration
import ExfilWatchSinks
import Foundation
import Testing

@Suite("Config file: sinks")
struct ConfigurationFileTests {
  static let secret = "s3cr3t-value-that-must-not-print"

  func parse(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationError) -> ConfigurationFile {
    try ConfigurationFile(yaml: yaml, file: "exfilwatch.yaml", environment: environment)
  }

  /// The problems of a file that must not parse.
  func problems(_ yaml: String, environment: [String: String] = [:]) -> [ConfigurationProblem] {
    do {
      _ = try parse(yaml, environment: environment)
      Issue.record("expected problems in:\n\(yaml)")
      return []
    } catch {
      return error.problems
    }
  }

  @Test("every kind of sink with its options; ${VAR} and $$ in values")
  func everyKind() throws {
    let file = try parse(
      """
      sinks:
        - stdout
        - jsonl:/var/lib/exfilwatch/findings.jsonl
        - sqlite: /var/lib/exfilwatch/findings.db
        - webhook: https://soar.example.com/hooks/x
          name: soar
          format: slack
          secret: ${HOOK_SECRET}
          timeout: 1500ms
          headers: {Authorization: "Bearer ${TOKEN}", X-Price: "$$5"}
        - syslog: tcp://siem.example.com:514
          format: cef
          facility: local4
          max_message_bytes: 4096
          app_name: exw
          timeout: 2s
      """, environment: ["HOOK_SECRET": Self.secret, "TOKEN": "t0k"])
    let sinks = try #require(file.sinks)
    #expect(sinks.map(\.specification.description) == [
      "stdout", "jsonl:/var/lib/exfilwatch/findings.jsonl", "sqlite:/var/lib/exfilwatch/findings.db",
      "webhook:https://soar.example.com/…", "syslog:tcp://siem.example.com:514",
    ])
    #expect(sinks[3].name == "soar")
    guard case .webhook(let webhook) = sinks[3].specification, case .syslog(let syslog) = sinks[4].specification else {
      Issue.record("wrong kinds: \(sinks)")
      return
    }
    #expect(webhook.format == .slack)
    #expect(webhook.secret == Array(Self.secret.utf8))
    #expect(webhook.timeout == 1.5)
    #expect(webhook.headers == ["Authorization": "Bearer t0k", "X-Price": "$5"])
    #expect(syslog == SyslogOptions(
      transport: .tcp(host: "siem.example.com", port: 514), facility: .local4, format: .cef,
      maxMessageBytes: 4096, appName: "exw", timeout: 2))
  }

  @Test("an empty file and one without sinks give no sinks; `sinks:` with nothing is a problem")
  func emptyFiles() throws {
    #expect(try parse("").sinks == nil)
    #expect(try parse("# only a comment\n").sinks == nil)
    let empty = problems("sinks:\n")
    #expect(empty.map(\.keyPath) == ["sinks"])
    #expect(empty.first?.message.contains("expected a list") == true)
  }

  @Test("mistaken ${...} are problems, never literal text", arguments: [
    "${HOOK_SECRET", "$HOOK_SECRET", "${}", "${1ABC}", "pre${HOOK SECRET}",
  ])
  func badReferences(value: String) {
    let found = problems(
      "sinks:\n  - webhook: https://soar.example.com/x\n    secret: \"\(value)\"\n",
      environment: ["HOOK_SECRET": Self.secret])
    #expect(found.map(\.keyPath) == ["sinks[0].secret"])
    #expect(found.first?.line == 3)
  }

  @Test("values from the environment never appear in problems")
  func secretsNotEchoed() {
    let found = problems(
      """
      sinks:
        - webhook: ${HOOK_URL}
        - webhook: https://soar.example.com/x
          format: ${HOOK_SECRET}
          headers: {Authorization: "Bearer ${MULTILINE}"}
        - ${HOOK_URL}
      """, environment: ["HOOK_URL": "ftp://\(Self.secret)", "HOOK_SECRET": Self.secret, "MULTILINE": "a\r\nX-Evil: 1"])
    #expect(found.map(\.keyPath) == [
      "sinks[0].webhook", "sinks[1].format", "sinks[1].headers.Authorization", "sinks[2]",
    ])
    for problem in found {
      #expect(!problem.description.contains(Self.secret), "\(problem)")
    }
  }

  @Test("every problem with its line, column and key path", arguments: [
    ("sinks:\n  - carrier-pigeon: yes\n", "sinks[0]", 2, "needs one of"),
    ("sinks:\n  - jsonl: a.jsonl\n    sqlite: b.db\n", "sinks[0]", 2, "not several"),
    ("sinks:\n  - jsonl: a.jsonl\n    colour: red\n", "sinks[0].colour", 3, "unknown key"),
    ("sinks:\n  - jsonl: a.jsonl\n    name: \"\"\n", "sinks[0].name", 3, "cannot be empty"),
    ("sinks:\n  - jsonl: a.jsonl\n  - jsonl: a.jsonl\n", "sinks[1]", 3, "the same sink as sinks[0]"),
    ("sinks:\n  - jsonl: a.jsonl\n    name: x\n  - stdout:\n    name: x\n", "sinks[1]", 4, "the same sink as sinks[0]"),
    ("sinks:\n  - webhook: https://h.example/x\n    headers: {Content-Type: text/plain}\n", "sinks[0].headers.Content-Type", 3, "set by ExfilWatch"),
    ("sinks:\n  - webhook: https://h.example/x\n    headers: {\"Bad Name\": x}\n", "sinks[0].headers.Bad Name", 3, "not a valid header name"),
    ("sinks:\n  - webhook: https://h.example/x\n    secret: short\n", "sinks[0].secret", 3, "at least 16 bytes"),
    ("sinks:\n  - webhook: https://h.example/x\n    ca_file: /nonexistent/ca.pem\n", "sinks[0].ca_file", 3, "cannot read"),
    ("sinks:\n  - webhook: https://h.example/x\n    timeout: 30m\n", "sinks[0].timeout", 3, "expected a duration"),
    ("sinks:\n  - syslog: udp://siem\n", "sinks[0].syslog", 2, "no port"),
    ("sinks:\n  - syslog: udp://siem:514\n    facility: local9\n", "sinks[0].facility", 3, "unknown facility"),
    ("sinks:\n  - syslog: udp://siem:514\n    max_message_bytes: 10\n", "sinks[0].max_message_bytes", 3, "whole number"),
    ("sinks:\n  - ? [a, b]\n    : c\n", "sinks[0]", 2, "needs one of"),
    ("colour: blue\n", "colour", 1, "unknown key"),
  ])
  func located(yaml: String, keyPath: String, line: Int, message: String) {
    let found = problems(yaml)
    #expect(found.contains { $0.keyPath == keyPath && $0.line == line && $0.message.contains(message) }, "\(found)")
  }

  @Test("a YAML syntax error names its line")
  func syntax() {
    let found = problems("sinks: [stdout\n")
    #expect(found.count == 1)
    #expect(found.first?.line == 2)
    #expect(found.first?.description.hasPrefix("exfilwatch.yaml:2:") == true)
    #expect(found.first?.message.hasPrefix("not valid YAML") == true)
  }
}
