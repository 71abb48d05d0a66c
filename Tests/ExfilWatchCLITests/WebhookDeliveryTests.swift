import ExfilWatchTestSupport
import Foundation
import Testing

/// `exfilwatch replay` and `scan` delivering to a real webhook receiver on 127.0.0.1 next to a
/// jsonl file: what arrives, in what order, and what happens when the receiver is down or hangs.
@Suite(.serialized) struct WebhookDeliveryTests {
  static let week = ScanStateTests.week
  static let secret = "0123456789abcdef-shared-secret"

  /// A config file with a webhook (named `soc`, so its URL may change) and a jsonl sink.
  static func config(in directory: TemporaryDirectory, url: String, timeout: String = "3s") throws -> String {
    let yaml = """
      # the webhook first: a receiver that is down must not hold up the file
      sinks:
        - webhook: \(url)
          name: soc
          secret: ${EXFILWATCH_TEST_SECRET}
          timeout: \(timeout)
        - jsonl: \(directory.path("findings.jsonl"))
      """
    return try directory.write("exfilwatch.yaml", Array(yaml.utf8))
  }

  static func exfilwatch(_ arguments: [String]) throws -> ToolResult {
    setenv("EXFILWATCH_TEST_SECRET", secret, 1)
    return try runTool(exfilwatchExecutable, arguments)
  }

  /// `id.revision` of each finding in the jsonl sink, in order.
  static func jsonlKeys(_ path: String) throws -> [String] {
    try ReplayCommandTests.findings(path).map { finding in
      let info = finding["finding_info"] as? [String: Any]
      let uid = info?["uid"] as? String ?? "?"
      return "\(uid).\(ReplayCommandTests.exfilwatch(finding)["revision"] as? Int ?? 0)"
    }
  }

  @Test("replay: the receiver gets every finding the jsonl sink gets, in order, signed")
  func replayDeliversSigned() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(secret: Self.secret, logIn: directory)
    let config = try Self.config(in: directory, url: receiver.url())
    let result = try Self.exfilwatch(["replay", "--quiet", "--config", config, Self.week])
    #expect(result.status == 1, "\(result.standardError)")
    let expected = try Self.jsonlKeys(directory.path("findings.jsonl"))
    #expect(!expected.isEmpty)
    let requests = try receiver.requests()
    #expect(requests.compactMap { $0.header("Idempotency-Key") } == expected)
    #expect(requests.allSatisfy { $0.signature_valid == true })
    #expect(requests.allSatisfy { ($0.json?["class_uid"] as? Int) == 2004 })
  }

  @Test("--sink webhook:URL takes the config file's options for that URL; a sink given twice is a usage error")
  func commandLineSinkTakesConfiguredOptions() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(secret: Self.secret, logIn: directory)
    let config = try Self.config(in: directory, url: receiver.url())
    let jsonl = directory.path("cli.jsonl")
    let result = try Self.exfilwatch(
      ["replay", "--quiet", "--config", config, "--sink", "webhook:\(receiver.url())", "--sink", "jsonl:\(jsonl)", Self.week])
    #expect(result.status == 1, "\(result.standardError)")
    let requests = try receiver.requests()
    #expect(requests.compactMap { $0.header("Idempotency-Key") } == (try Self.jsonlKeys(jsonl)))
    #expect(!requests.isEmpty && requests.allSatisfy { $0.signature_valid == true }, "signed with the config's secret")
    #expect(!FileManager.default.fileExists(atPath: directory.path("findings.jsonl")), "the config's other sinks are replaced")

    let twice = try Self.exfilwatch(["replay", "--sink", "jsonl:\(jsonl)", "--sink", "jsonl:\(jsonl)", Self.week])
    #expect(twice.status == 2)
    #expect(twice.standardError.contains("given twice"), "\(twice.standardError)")
  }

  @Test("scan with the receiver down: exit 5, findings spooled; next scan delivers them once, in order")
  func spoolSurvivesAnOutage() throws {
    let directory = try TemporaryDirectory()
    let port = try unusedLocalPort()
    let url = "http://127.0.0.1:\(port)/hooks/exfilwatch"
    let config = try Self.config(in: directory, url: url)
    let state = directory.path("scan.state")
    let down = try Self.exfilwatch(["scan", "--state", state, "--config", config, Self.week])
    #expect(down.status == 5, "\(down.standardError)")
    #expect(down.standardError.contains("kept in the spool of \(state)"), "\(down.standardError)")
    #expect(!down.standardError.contains("/hooks/exfilwatch"), "the webhook's path is not printed")
    // The receiver being down held up nothing else: the file has every finding.
    let expected = try Self.jsonlKeys(directory.path("findings.jsonl"))
    #expect(!expected.isEmpty)

    let receiver = try WebhookReceiver(secret: Self.secret, port: port, logIn: directory)
    let up = try Self.exfilwatch(["scan", "--state", state, "--config", config, Self.week])
    #expect(up.status == 0, "\(up.standardError)")
    let requests = try receiver.requests()
    #expect(requests.compactMap { $0.header("Idempotency-Key") } == expected)
    #expect(requests.allSatisfy { $0.signature_valid == true })
    #expect(try Self.jsonlKeys(directory.path("findings.jsonl")) == expected, "the file got nothing twice")

    let after = try Self.exfilwatch(["scan", "--state", state, "--config", config, Self.week])
    #expect(after.status == 0, "\(after.standardError)")
    #expect(try receiver.requests().count == requests.count, "nothing is sent twice")
  }

  @Test("a webhook that accepts and never answers: the scan ends within its timeout and spools")
  func hangingWebhook() throws {
    let directory = try TemporaryDirectory()
    let hanging = try WebhookReceiver(answers: Array(repeating: "hang", count: 50), logIn: directory)
    let state = directory.path("scan.state")
    let quick = try runTool(exfilwatchExecutable, ["scan", "--state", directory.path("plain.state"), "--sink", "jsonl:\(directory.path("plain.jsonl"))", Self.week])
    #expect(quick.status == 1)

    let started = Date()
    let result = try Self.exfilwatch(
      ["scan", "--state", state, "--config", try Self.config(in: directory, url: hanging.url(), timeout: "2s"), Self.week])
    let elapsed = Date().timeIntervalSince(started)
    #expect(result.status == 5, "\(result.standardError)")
    #expect(result.standardError.contains("no answer within"), "\(result.standardError)")
    #expect(elapsed < 40, "a hanging receiver held the run for \(elapsed) s")
    let expected = try Self.jsonlKeys(directory.path("findings.jsonl"))

    // The same sink (by name) at a receiver that answers gets what was spooled.
    let receiver = try WebhookReceiver(secret: Self.secret, logIn: directory)
    let next = try Self.exfilwatch(["scan", "--state", state, "--config", try Self.config(in: directory, url: receiver.url()), Self.week])
    #expect(next.status == 0, "\(next.standardError)")
    #expect(try receiver.requests().compactMap { $0.header("Idempotency-Key") } == expected)
  }

  @Test("replay without a state file cannot spool: undelivered findings are reported, exit 5")
  func noStateNoSpool() throws {
    let directory = try TemporaryDirectory()
    let config = try Self.config(in: directory, url: "http://127.0.0.1:\(try unusedLocalPort())/x", timeout: "1s")
    let result = try Self.exfilwatch(["replay", "--quiet", "--config", config, Self.week])
    #expect(result.status == 5, "\(result.standardError)")
    #expect(result.standardError.contains("not kept: no state file"), "\(result.standardError)")
    #expect(try !Self.jsonlKeys(directory.path("findings.jsonl")).isEmpty)
  }

  @Test("a config file's problems are all reported with their line and key, exit 2")
  func configProblems() throws {
    let directory = try TemporaryDirectory()
    let yaml = """
      sinks:
        - webhook: ftp://nowhere
        - webhook: https://soar.example.com/x
          timeout: forever
          secret: ${EXFILWATCH_UNSET_VARIABLE}
        - carrier-pigeon: yes
      colour: blue
      """
    let config = try directory.write("bad.yaml", Array(yaml.utf8))
    let result = try runTool(exfilwatchExecutable, ["replay", "--config", config, Self.week])
    #expect(result.status == 2)
    let lines = result.standardError.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("exfilwatch: \(config):2:") && $0.contains("sinks[0].webhook") })
    #expect(lines.contains { $0.hasPrefix("exfilwatch: \(config):4:") && $0.contains("sinks[1].timeout") })
    #expect(lines.contains {
      $0.hasPrefix("exfilwatch: \(config):5:") && $0.contains("EXFILWATCH_UNSET_VARIABLE is not set")
    })
    #expect(lines.contains { $0.hasPrefix("exfilwatch: \(config):6:") && $0.contains("sinks[2]") })
    #expect(lines.contains { $0.hasPrefix("exfilwatch: \(config):7:") && $0.contains("colour: unknown key") })
    let broken = try directory.write("broken.yaml", Array("sinks: [stdout\n".utf8))
    let syntax = try runTool(exfilwatchExecutable, ["replay", "--config", broken, Self.week])
    #expect(syntax.status == 2)
    #expect(syntax.standardError.contains("\(broken):2:"), "\(syntax.standardError)")
    #expect(syntax.standardError.contains("not valid YAML"))
  }
}
