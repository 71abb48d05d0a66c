import ExfilWatchTestSupport
import Foundation
import Testing

/// The config file as an operator uses it: checked with `config check`, started from
/// `config example`, and read by replay, scan and tail with the command line winning.
@Suite struct ConfigFileTests {
  private static func write(_ yaml: String, in directory: TemporaryDirectory, name: String = "exfilwatch.yaml") throws -> String {
    try directory.write(name, Array(yaml.utf8))
  }

  /// Two reads in another platform's JSON-lines export on `day`, and the config input (a
  /// list item with its format and mapping) that reads it.
  private static func appExport(day: String, in directory: TemporaryDirectory) throws -> (path: String, input: String) {
    let path = try directory.write("app.jsonl", Array("""
      {"ts":"\(day)T10:00:00Z","user":"a@example.com","rows":5}
      {"ts":"\(day)T10:01:00Z","user":"b@example.com","rows":7}

      """.utf8))
    return (path, "  - path: \(path)\n    format: jsonl\n    field: [time=ts, actor=user, records=rows]\n")
  }

  @Test("config example is a valid config: config check says ok and counts what it sets")
  func exampleChecks() throws {
    let directory = try TemporaryDirectory()
    let example = try runTool(exfilwatchExecutable, ["config", "example"])
    #expect(example.status == 0)
    let path = try directory.write("example.yaml", example.standardOutput)
    let check = try runTool(exfilwatchExecutable, ["config", "check", path])
    #expect(check.status == 0, "\(check.standardError)")
    #expect(check.standardError == "exfilwatch: \(path): ok (19 option(s), 1 input(s), 2 sink(s), 0 allowlist entries)\n")
  }

  @Test("every option key of the file is an option of each command that takes it")
  func everyOptionKeyParses() throws {
    let directory = try TemporaryDirectory()
    let path = try Self.write("""
      format: jsonl
      field: [time=ts, actor=user]
      max_record_length: 2M
      max_window: 64M
      max_key_length: 256
      max_fields: 2000
      rejects: \(directory.path("rejects.jsonl"))
      dimension: [actor, actor+object]
      horizon: ["5m:hop=1m,records=20000"]
      warm_up: 2d
      allowed_lateness: 2m
      quiet_period: 12h
      relearn_after: 5d
      max_keys: 5000
      max_time_jump: 30m
      jump_confirmations: 8
      max_spool: 500
      threads: 1
      state: \(directory.path("x.state"))
      checkpoint_interval: 30s
      quiet: true
      verbose: false
      metrics_file: \(directory.path("x.prom"))
      metrics_listen: 127.0.0.1:0
      log_level: notice
      log_format: json
      poll_interval: 250ms
      rotate_wait: 2s
      idle_close: 30s
      """, in: directory)
    let check = try runTool(exfilwatchExecutable, ["config", "check", path])
    #expect(check.status == 0, "\(check.standardError)")
    #expect(check.standardError.contains("ok (28 option(s)"), "\(check.standardError)")
  }

  @Test("config check lists every problem with line, column and key path, in file order, exit 2; no secret is printed")
  func checkListsProblems() throws {
    let directory = try TemporaryDirectory()
    let path = try Self.write("""
      inputs: /var/log
      warm_up: 3 days
      max_keys: -5
      format: splunk
      quiet: maybe
      sinks:
        - webhook: https://x.example/hook/s3cr3t-path
          secret: ${EXFILWATCH_TEST_UNSET_VARIABLE}
      colour: red
      max_window: 12 parsecs
      """, in: directory)
    let check = try runTool(exfilwatchExecutable, ["config", "check", path])
    #expect(check.status == 2)
    let lines = check.standardError.split(separator: "\n").map(String.init)
    let expected = [
      "1:9: inputs: expected a list of paths (lines starting with '- ')",
      "2:10: warm_up: expected a duration from 0s to 3660d, such as 10s or 500ms",
      "3:11: max_keys: expected a whole number from 0 to 2147483647",
      "4:9: format: expected one of: auto, sf-rtem, sf-elf, okta, m365, servicenow, zendesk, jsonl, csv",
      "5:8: quiet: expected true or false",
      "8:13: sinks[0].secret: environment variable EXFILWATCH_TEST_UNSET_VARIABLE is not set",
      "9:1: colour: unknown key; expected one of: sinks, inputs, allowlist, allowed_lateness,",
      "10:13: max_window: expected a size such as 1048576, 512K, 1M or 2G",
    ]
    #expect(lines.count == expected.count, "\(check.standardError)")
    for (line, start) in zip(lines, expected) {
      #expect(line.hasPrefix("exfilwatch: \(path):\(start)"), "\(line)")
    }
    #expect(!check.standardError.contains("s3cr3t"))
  }

  @Test("values wrong for their option (a misspelt dimension, a horizon's hops) are found with their line")
  func checkParsesOptions() throws {
    let directory = try TemporaryDirectory()
    let path = try Self.write("""
      warm_up: 2d
      dimension: [actor, actr]
      horizon: ["5m:hop=7m"]
      poll_interval: 250ms
      """, in: directory)
    let check = try runTool(exfilwatchExecutable, ["config", "check", path])
    #expect(check.status == 2)
    let lines = check.standardError.split(separator: "\n")
    #expect(lines.count == 2, "\(check.standardError)")
    #expect(lines.first?.hasPrefix("exfilwatch: \(path):2:12: dimension: ") == true)
    #expect(lines.first?.contains("'actr' is not a field") == true)
    #expect(lines.last?.hasPrefix("exfilwatch: \(path):3:10: horizon: ") == true)
  }

  @Test("replay takes inputs, options and sinks from the file; the command line wins, repeatable options too")
  func replayUsesTheFile() throws {
    let directory = try TemporaryDirectory()
    let findings = directory.path("findings.jsonl")
    let path = try Self.write("""
      inputs:
        - \(ScanStateTests.week)
      warm_up: 1d
      dimension: [actor]
      log_format: json
      sinks:
        - jsonl: \(findings)
      """, in: directory)
    let configured = try runTool(exfilwatchExecutable, ["replay", "--config", path])
    #expect(configured.status == 1, "\(configured.standardError)")
    #expect(configured.standardError.contains("warm-up of 1d ended"))
    #expect(configured.standardError.contains("44 keys tracked"))
    #expect(configured.standardError.split(separator: "\n").allSatisfy { $0.hasPrefix("{\"time\":") })
    #expect(FileManager.default.fileExists(atPath: findings))

    let overridden = try runTool(exfilwatchExecutable, [
      "replay", "--config", path, "--warm-up", "2d", "--dimension", "client", "--log-format", "text",
      "--sink", "jsonl:\(directory.path("other.jsonl"))", ScanStateTests.week,
    ])
    #expect(overridden.status == 1, "\(overridden.standardError)")
    #expect(overridden.standardError.contains("exfilwatch: event time 2025-06-01T00:00:02Z to 2025-06-07T23:59:50Z; warm-up of 2d ended"))
    #expect(!overridden.standardError.contains("44 keys tracked"))
    #expect(FileManager.default.fileExists(atPath: directory.path("other.jsonl")))
  }

  @Test("an allowlist in the file: its keys leave the attack's findings, the others stay; entries are checked")
  func allowlistFromTheFile() throws {
    let directory = try TemporaryDirectory()
    func flaggedKeys(_ yaml: String) throws -> Set<String> {
      let path = try Self.write(yaml, in: directory, name: "allow.yaml")
      let findings = directory.path("findings-\(UUID().uuidString).jsonl")
      let replay = try runTool(exfilwatchExecutable, ["replay", "--config", path, "--quiet", "--sink", "jsonl:\(findings)", ScanStateTests.week])
      let lines = (try? String(contentsOfFile: findings, encoding: .utf8))?.split(separator: "\n") ?? []
      #expect(replay.status == (lines.isEmpty ? 0 : 1), "\(replay.standardError)")
      return Set(try lines.flatMap { line -> [String] in
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let unmapped = try #require((object["unmapped"] as? [String: Any])?["exfilwatch"] as? [String: Any])
        let keys = try #require(unmapped["keys"] as? [[String: Any]])
        return keys.map { "\($0["dimension"] ?? "")=\($0["value"] ?? "")" }
      })
    }
    let all = try flaggedKeys("warm_up: 3d\n")
    #expect(all.contains("source_ip=198.51.100.169"), "\(all)")
    let withoutIP = try flaggedKeys("allowlist:\n  - source_ip: 198.51.100.0/24\n    reason: the vendor's egress\n")
    #expect(!withoutIP.isEmpty)
    #expect(withoutIP == all.filter { !$0.hasPrefix("source_ip=") })
    let none = try flaggedKeys("""
      allowlist:
        - actor: S.VELASCO@contact.example-air.com
        - source_ip: 198.51.100.169
        - client: 0H4Hs00000E1gDPKAZ
          record_floor: 100000000
      """)
    #expect(none.isEmpty)

    let bad = try Self.write("""
      allowlist:
        - source_ip: 10.0.0.0/33
        - actor: a
          client: b
        - object: Contact
          score: high
      """, in: directory, name: "bad-allow.yaml")
    let check = try runTool(exfilwatchExecutable, ["config", "check", bad])
    #expect(check.status == 2)
    #expect(check.standardError == """
      exfilwatch: \(bad):2:16: allowlist[0].source_ip: expected an IP address or a network such as 10.20.0.0/16
      exfilwatch: \(bad):3:5: allowlist[1]: an entry names exactly one of: actor, client, source_ip, object, session, tenant
      exfilwatch: \(bad):6:12: allowlist[2].score: expected a number from 0.0 to 1000.0

      """)
  }

  @Test("inputs of two platforms, one with its own format and field mapping, are read in one replay")
  func inputsWithTheirOwnFormats() throws {
    let directory = try TemporaryDirectory()
    let day = "\(ScanStateTests.week)/ApiEvent-2025-06-02.jsonl.zst"
    let (app, appInput) = try Self.appExport(day: "2025-06-02", in: directory)
    let path = try Self.write("inputs:\n  - \(day)\n" + appInput, in: directory)
    let check = try runTool(exfilwatchExecutable, ["config", "check", path])
    #expect(check.status == 0, "\(check.standardError)")
    let alone = try runTool(exfilwatchExecutable, ["events", "--count", day])
    let count = try #require(alone.outputText.components(separatedBy: ", ").dropFirst(2).first?.split(separator: " ").first.flatMap { Int($0) })
    let replay = try runTool(exfilwatchExecutable, ["replay", "--config", path, "--sink", "jsonl:/dev/null"])
    #expect(replay.status == 0, "\(replay.standardError)")
    #expect(replay.standardError.contains("replay: 2 inputs, "), "\(replay.standardError)")
    #expect(replay.standardError.contains(" \(count + 2) events ("), "\(replay.standardError)")
    #expect(replay.standardError.contains(" 0 rejected"))

    let badMapping = try Self.write("inputs:\n  - path: \(app)\n    format: jsonl\n    field: [when=ts]\n", in: directory, name: "bad.yaml")
    let checked = try runTool(exfilwatchExecutable, ["config", "check", badMapping])
    #expect(checked.status == 2)
    #expect(checked.standardError.contains("inputs[0].field: bad field mapping 'when=ts'"), "\(checked.standardError)")
    let run = try runTool(exfilwatchExecutable, ["replay", "--config", badMapping, "--sink", "jsonl:/dev/null"])
    #expect(run.status == 2)
  }

  @Test("--allow on the command line replaces the file's allowlist; a bad one is a usage error")
  func allowOnTheCommandLine() throws {
    let directory = try TemporaryDirectory()
    let path = try Self.write("""
      allowlist:
        - actor: s.velasco@contact.example-air.com
        - source_ip: 198.51.100.169
        - client: 0H4Hs00000E1gDPKAZ
      """, in: directory)
    let silent = try runTool(exfilwatchExecutable, ["replay", "--config", path, "--quiet", "--sink", "stdout", ScanStateTests.week])
    #expect(silent.status == 0, "\(silent.standardError)")
    #expect(silent.outputText.isEmpty)
    let replaced = try runTool(exfilwatchExecutable, [
      "replay", "--config", path, "--quiet", "--sink", "stdout", "--allow", "source_ip=198.51.100.0/24", ScanStateTests.week,
    ])
    #expect(replaced.status == 1, "\(replaced.standardError)")
    #expect(replaced.outputText.contains("actor=s.velasco@contact.example-air.com"))
    for bad in ["source_ip=999.1.1.1", "user=x", "actor="] {
      let refused = try runTool(exfilwatchExecutable, ["replay", "--allow", bad, ScanStateTests.week])
      #expect(refused.status == 2, "\(bad): \(refused.standardError)")
      #expect(refused.standardError.contains("--allow '\(bad)'"), "\(refused.standardError)")
    }
  }

  @Test("tail follows the file's inputs (each with its own format) when none are named, and says so when there are none")
  func tailUsesTheFile() throws {
    let directory = try TemporaryDirectory()
    let bare = try Self.write("warm_up: 1d\n", in: directory, name: "bare.yaml")
    let none = try runTool(exfilwatchExecutable, ["tail", "--config", bare, "--state", directory.path("t.state")])
    #expect(none.status == 2)
    #expect(none.standardError.contains("tail: no files to follow"))

    let log = try directory.write("api.jsonl", try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/ApiEvent-2025-06-01.jsonl.zst"]))
    let events = try runTool(exfilwatchExecutable, ["events", "--count", log])
    let configured = try Self.write(
      "inputs:\n  - \(log)\n" + Self.appExport(day: "2025-06-01", in: directory).input + "poll_interval: 100ms\nidle_close: 0s\n",
      in: directory, name: "tail.yaml")
    let tail = Process()
    tail.executableURL = URL(fileURLWithPath: exfilwatchExecutable)
    tail.arguments = ["tail", "--config", configured, "--state", directory.path("tail.state"), "--sink", "jsonl:\(directory.path("f.jsonl"))"]
    let errors = Pipe()
    tail.standardError = errors
    tail.standardOutput = FileHandle.nullDevice
    try tail.run()
    usleep(3_000_000)
    kill(tail.processIdentifier, SIGTERM)
    let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    tail.waitUntilExit()
    #expect(tail.terminationStatus == 0, "\(said)")
    // "api.jsonl: sf-rtem, 2470 records, 2470 events, ...": the events.
    let count = try #require(events.outputText.components(separatedBy: ", ").dropFirst(2).first?.split(separator: " ").first)
    #expect(said.contains("exfilwatch: tail: 2 inputs, "), "\(said)")
    #expect(said.contains(" \(Int(count)! + 2) events ("), "\(said) \(events.outputText)")
    #expect(said.contains(" 0 rejected"), "\(said)")
  }
}
