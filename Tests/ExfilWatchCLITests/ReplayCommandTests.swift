import ExfilWatchTestSupport
import Foundation
import Testing

/// `exfilwatch replay` and `scan` run as a user runs them: on the bundled simulated weeks, with
/// findings checked against the OCSF schema and across file splits.
@Suite struct ReplayCommandTests {
  static let simulated = EventsCommandTests.samples.appendingPathComponent("simulated")

  /// The findings of a jsonl sink, decoded.
  static func findings(_ path: String) throws -> [[String: Any]] {
    try String(decoding: readBytes(path), as: UTF8.self).split(separator: "\n").map {
      try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  static func exfilwatch(_ finding: [String: Any]) -> [String: Any] {
    ((finding["unmapped"] as? [String: Any])?["exfilwatch"] as? [String: Any]) ?? [:]
  }

  /// The findings in a jsonl sink, without the sample events' file positions (which differ
  /// when the same events are read from other files).
  static func comparableFindings(_ path: String) throws -> [NSDictionary] {
    try findings(path).map { finding in
      var finding = finding
      var unmapped = exfilwatch(finding)
      unmapped["sample_sources"] = nil
      finding["unmapped"] = ["exfilwatch": unmapped]
      return finding as NSDictionary
    }
  }

  @Test func attackSampleGivesOneValidIncidentNamingTheAttacker() throws {
    let directory = try TemporaryDirectory()
    let sink = directory.path("findings.jsonl")
    let sample = Self.simulated.appendingPathComponent("connected-app-exfil").path
    let result = try runTool(exfilwatchExecutable, ["replay", "--sink", "stdout", "--sink", "jsonl:\(sink)", sample])
    #expect(result.status == 1, "\(result.standardError)")
    let lines = result.outputText.split(separator: "\n")
    #expect(lines.filter { $0.contains(" NEW ") }.count == 1)
    #expect(lines.first?.contains("client=0H4Hs00000E1gDPKAZ") == true)
    #expect(result.standardError.contains("labels.json: skipped"))
    #expect(result.standardError.contains("warm-up of 3d ended"))

    let validator = try OCSFSchemaValidator()
    let text = try readBytes(sink)
    let jsonLines = text.split(separator: UInt8(ascii: "\n"))
    #expect(jsonLines.count == lines.count)
    for line in jsonLines {
      #expect(validator.validate(jsonLine: Array(line)) == [])
    }
    let findings = try Self.findings(sink)
    #expect(Set(findings.compactMap { ($0["finding_info"] as? [String: Any])?["uid"] as? String }) == ["exw-e5eef66a137f2d58"])
    #expect(findings.map { $0["activity_id"] as? Int } == [1, 2, 2, 3])
    // Decided within ten minutes of event time after the first bulk page (16:01:20.970Z).
    let firstBulkPage: Int64 = 1_749_052_880_970
    let created = try #require(findings.first?["time"] as? Int64)
    #expect(created - firstBulkPage < 10 * 60_000)
    let keys = Self.exfilwatch(findings.last!)["keys"] as? [[String: Any]] ?? []
    let flagged = Set(keys.compactMap { $0["value"] as? String })
    #expect(flagged.isSuperset(of: ["s.velasco@contact.example-air.com", "198.51.100.169", "0H4Hs00000E1gDPKAZ"]))
  }

  @Test func baselineSampleFindsNothing() throws {
    let directory = try TemporaryDirectory()
    let sample = Self.simulated.appendingPathComponent("baseline").path
    let replay = try runTool(exfilwatchExecutable, ["replay", sample])
    #expect(replay.status == 0, "\(replay.standardError)")
    #expect(replay.standardOutput.isEmpty)
    #expect(replay.standardError.contains("0 findings written"))
    // A scan that finds nothing says nothing (cron mails what it prints), unless asked to;
    // its state file is by default in the current directory.
    let scan = try runTool(exfilwatchExecutable, ["scan", sample], currentDirectory: directory.url.path)
    #expect(scan.status == 0 && scan.standardOutput.isEmpty && scan.standardError.isEmpty, "\(scan.standardError)")
    #expect(FileManager.default.fileExists(atPath: directory.path("exfilwatch.state")))
    let verbose = try runTool(exfilwatchExecutable, ["scan", "--verbose", "--state", directory.path("v.state"), sample])
    #expect(verbose.status == 0 && verbose.standardError.contains("0 findings written"), "\(verbose.standardError)")
  }

  @Test func sameFindingsWhateverTheFileSplit() throws {
    let directory = try TemporaryDirectory()
    let sample = Self.simulated.appendingPathComponent("connected-app-exfil")
    let days = try FileManager.default.contentsOfDirectory(atPath: sample.path).filter { $0.hasSuffix(".zst") }.sorted()
    var text: [UInt8] = []
    for day in days { text += try runToolChecked("zstd", ["-dc", sample.appendingPathComponent(day).path]) }
    let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
    for folder in ["whole", "split"] {
      try FileManager.default.createDirectory(atPath: directory.path(folder), withIntermediateDirectories: true)
    }
    // One plain file, and the week dealt out line by line to three gzip, zstd and plain files
    // given in reverse order, so the merge interleaves them line by line and the pages of one
    // query sit in different inputs: logical reads must still be counted once.
    let whole = try directory.write("whole/week.jsonl", text)
    var bodies: [[UInt8]] = [[], [], []]
    for (index, line) in lines.enumerated() {
      bodies[index % 3] += Array(line) + [UInt8(ascii: "\n")]
    }
    #expect(bodies.allSatisfy { $0.count > 100_000 })
    var pieces: [String] = []
    for (index, body) in bodies.enumerated() {
      let plain = try directory.write("split/piece-\(index).jsonl", body)
      switch index {
      case 0: _ = try runToolChecked("zstd", ["-q", "--rm", plain]); pieces.append(plain + ".zst")
      case 1: _ = try runToolChecked("gzip", [plain]); pieces.append(plain + ".gz")
      default: pieces.append(plain)
      }
    }
    let wholeSink = directory.path("whole.jsonl")
    let splitSink = directory.path("split.jsonl")
    let wholeRun = try runTool(exfilwatchExecutable, ["replay", "--sink", "jsonl:\(wholeSink)", whole])
    let splitRun = try runTool(exfilwatchExecutable, ["replay", "--sink", "jsonl:\(splitSink)"] + pieces.reversed())
    #expect(wholeRun.status == 1 && splitRun.status == 1, "\(splitRun.standardError)")
    #expect(splitRun.standardError.contains(" 0 late "), "the interleaved pieces merge back into time order")
    // Everything but where the sample events sit in the inputs is the same.
    let wholeFindings = try Self.comparableFindings(wholeSink)
    #expect(!wholeFindings.isEmpty)
    #expect(wholeFindings == (try Self.comparableFindings(splitSink)))
  }

  @Test func unreadableInputOutranksFindings() throws {
    let directory = try TemporaryDirectory()
    let sample = Self.simulated.appendingPathComponent("connected-app-exfil").path
    let truncated = try directory.write("cut.jsonl.zst", Array(try readBytes(sample + "/ApiEvent-2025-06-01.jsonl.zst").prefix(5000)))
    let result = try runTool(exfilwatchExecutable, ["replay", sample, truncated, directory.path("missing.jsonl")])
    #expect(result.status == 3)
    #expect(result.standardOutput.count > 0, "the findings of the readable inputs are still written")
    #expect(result.standardError.contains("cut.jsonl.zst"))
    #expect(result.standardError.contains("missing.jsonl"))
  }

  @Test func combinedDimensionsAndTheKeyCapAreHonoured() throws {
    let directory = try TemporaryDirectory()
    let sink = directory.path("findings.jsonl")
    let sample = Self.simulated.appendingPathComponent("connected-app-exfil").path
    let result = try runTool(
      exfilwatchExecutable,
      ["replay", "--dimension", "actor+object", "--dimension", "client", "--max-keys", "40", "--sink", "jsonl:\(sink)", sample])
    #expect(result.status == 1, "\(result.standardError)")
    let dimensions = Set(try Self.findings(sink).flatMap { finding in
      (Self.exfilwatch(finding)["keys"] as? [[String: Any]] ?? []).compactMap { $0["dimension"] as? String }
    })
    #expect(dimensions.contains("actor+object"))
    #expect(dimensions.isSubset(of: ["actor+object", "client"]))
    #expect(result.standardError.components(separatedBy: "forgetting the least recently seen").count == 2)
    #expect(result.standardError.contains("evicted at the cap of 40"))
  }

  @Test func fromAndUntilLimitTheEventTimeJudged() throws {
    let sample = Self.simulated.appendingPathComponent("connected-app-exfil").path
    let before = try runTool(exfilwatchExecutable, ["replay", "--until", "2025-06-04T15:00:00Z", sample])
    #expect(before.status == 0, "the attack starts at 15:49")
    #expect(before.standardOutput.isEmpty)
    #expect(before.standardError.contains("events outside --from/--until not judged"))
    let around = try runTool(exfilwatchExecutable, ["replay", "--from", "2025-06-01", "--until", "2025-06-05", sample])
    #expect(around.status == 1)
    #expect(around.outputText.contains("exw-e5eef66a137f2d58"))
  }

  /// Progress goes to standard error only when asked for (or on a terminal), and every line it
  /// draws is cleared before anything else is written.
  @Test func threadsGiveTheSameFindingsAsOneThread() throws {
    let directory = try TemporaryDirectory()
    let sample = Self.simulated.appendingPathComponent("connected-app-exfil").path
    var outputs: [[UInt8]] = []
    for threads in ["1", "2", "4"] {
      let sink = directory.path("findings-\(threads).jsonl")
      let result = try runTool(exfilwatchExecutable, ["replay", "--threads", threads, "--sink", "jsonl:\(sink)", sample])
      #expect(result.status == 1, "\(result.standardError)")
      outputs.append(try readBytes(sink))
    }
    #expect(outputs[0].count > 1_000)
    #expect(outputs.dropFirst().allSatisfy { $0 == outputs[0] }, "byte-identical whatever the threads")
  }

  @Test func progressLineIsClearedBeforeOtherOutput() throws {
    let sample = Self.simulated.appendingPathComponent("connected-app-exfil").path
    let plain = try runTool(exfilwatchExecutable, ["replay", sample])
    #expect(!plain.standardError.contains("\u{1B}[K"), "not a terminal: no progress")
    let shown = try runTool(exfilwatchExecutable, ["replay", "--progress", sample])
    #expect(shown.status == 1)
    for line in shown.standardError.split(separator: "\n") {
      // A drawn progress line is only ever followed on the same line by its clearing.
      let pieces = line.components(separatedBy: "\r\u{1B}[K")
      #expect(pieces.dropLast().allSatisfy { $0.isEmpty || $0.contains(" events/s") })
      #expect(!(pieces.last ?? "").contains(" events/s, event time"), "\(line)")
    }
    #expect(shown.standardError.contains("exfilwatch: replay: 7 inputs"))
  }

  @Test func badSinkOrDimensionIsAUsageError() throws {
    for arguments in [
      ["--sink", "webhook:x"], ["--dimension", "actor+colour"], ["--horizon", "5m:score=x"], ["--warm-up", "3 days"],
      ["--from", "yesterday"], ["--from", "2025-06-05", "--until", "2025-06-01"], ["--allowed-lateness", "30d"],
      ["--horizon", "5m:spread=0"], ["--threads", "0"],
    ] {
      let result = try runTool(exfilwatchExecutable, ["replay"] + arguments + ["-"])
      #expect(result.status == 2, "\(arguments)")
    }
  }
}
