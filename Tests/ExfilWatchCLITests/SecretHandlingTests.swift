import ExfilWatchTestSupport
import Foundation
import Testing

/// What ExfilWatch writes must not leak what it was trusted with or what it read (issue 9): no
/// webhook secret, token or URL path in logs, errors, help, state or metrics; files of its own
/// readable by their owner only; findings with the evidence, never the records' contents.
@Suite(.serialized) struct SecretHandlingTests {
  static let secret = "hmac-7f3a9c1e-do-not-print"
  static let token = "bearer-5e2d-do-not-print"
  static let pathSecret = "T0SECRETPATH"
  static var leaks: [String] { [secret, token, pathSecret] }

  static func expectNoLeak(_ text: String, _ what: String) {
    for leak in leaks {
      #expect(!text.contains(leak), "\(leak) in \(what): \(text.prefix(2_000))")
    }
  }

  @Test("a failing webhook with a secret, a token and a secret path: none of them in logs, errors, help, state or metrics")
  func secretsStayInside() throws {
    let directory = try TemporaryDirectory()
    setenv("EXFILWATCH_LEAK_SECRET", Self.secret, 1)
    setenv("EXFILWATCH_LEAK_TOKEN", Self.token, 1)
    let url = "http://127.0.0.1:\(try unusedLocalPort())/services/\(Self.pathSecret)/B1"
    let config = directory.path("exfilwatch.yaml")
    try """
      sinks:
        - webhook: \(url)
          secret: ${EXFILWATCH_LEAK_SECRET}
          headers: {Authorization: "Bearer ${EXFILWATCH_LEAK_TOKEN}"}
          timeout: 1s
      """.write(toFile: config, atomically: true, encoding: .utf8)
    let state = directory.path("scan.state")
    let metrics = directory.path("exfilwatch.prom")
    var outputs: [(String, ToolResult)] = []
    for format in ["text", "json"] {
      let run = try runTool(exfilwatchExecutable, [
        "scan", "--config", config, "--state", state, "--metrics-file", metrics, "--log-level", "trace",
        "--log-format", format, "--verbose", ScanStateTests.week,
      ])
      #expect(run.status == 5, "the webhook could not be reached: \(run.standardError)")
      #expect(run.standardError.contains("127.0.0.1"), "the sink is named by its host: \(run.standardError)")
      outputs.append(("scan --log-format \(format)", run))
    }
    outputs.append(("config check", try runTool(exfilwatchExecutable, ["config", "check", config])))
    // A sink spec the command line refuses is named without its path.
    outputs.append(("bad --sink", try runTool(exfilwatchExecutable, ["replay", "--sink", "webhook:\(url)?format=nope", "x"])))
    for command in ["replay", "scan", "tail", "config", "findings", "report"] {
      outputs.append(("\(command) --help", try runTool(exfilwatchExecutable, [command, "--help"])))
    }
    for (what, result) in outputs {
      Self.expectNoLeak(result.standardError, "\(what) standard error")
      Self.expectNoLeak(result.outputText, "\(what) standard output")
    }
    for file in try FileManager.default.contentsOfDirectory(atPath: directory.url.path) where file != "exfilwatch.yaml" {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.path(file)))
      Self.expectNoLeak(String(decoding: bytes, as: UTF8.self), file)
    }
  }

  @Test("state, its journal and its lock are created 0600 even under umask 000")
  func privateFilesUnderAnOpenUmask() throws {
    let directory = try TemporaryDirectory()
    let state = directory.path("scan.state")
    let run = try runTool("/bin/sh", [
      "-c", "umask 000; exec \"$0\" \"$@\"", exfilwatchExecutable, "scan", "--quiet", "--state", state,
      "--checkpoint-interval", "0s", "--sink", "jsonl:\(directory.path("findings.jsonl"))", ScanStateTests.week,
    ])
    #expect(run.status == 1, "\(run.standardError)")
    let stateFiles = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.hasPrefix("scan.state") }
    #expect(stateFiles.contains("scan.state") && stateFiles.contains("scan.state.lock"), "\(stateFiles)")
    for file in stateFiles {
      let mode = try FileManager.default.attributesOfItem(atPath: directory.path(file))[.posixPermissions] as? Int
      #expect(mode == 0o600, "\(file): \(String(mode ?? 0, radix: 8))")
    }
  }

  @Test("findings carry counts, names and where the samples are, never the records' query text or rows")
  func findingsHoldNoRecordContents() throws {
    let directory = try TemporaryDirectory()
    let findings = directory.path("findings.jsonl")
    let run = try runTool(exfilwatchExecutable, ["replay", "--sink", "jsonl:\(findings)", ScanStateTests.week])
    #expect(run.status == 1, "\(run.standardError)")
    let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: findings)), as: UTF8.self)
    #expect(text.split(separator: "\n").count == 4)
    #expect(text.contains("s.velasco@contact.example-air.com"), "the evidence names the actor")
    // The sample week's records hold SOQL text, record ids and browser user agents.
    for content in ["SELECT", "Frequent_Flyer", "totalSize", "003Hs", "Mozilla/5.0"] {
      #expect(!text.contains(content), "\(content) in a finding")
    }
  }
}
