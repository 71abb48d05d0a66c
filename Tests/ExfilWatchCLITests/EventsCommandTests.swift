import ExfilWatchTestSupport
import Foundation
import Testing

/// `exfilwatch events`, run as a user runs it.
@Suite("exfilwatch events")
struct EventsCommandTests {
  static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SampleLogs")

  @Test("--count names the recognised format and the counts of each sample, and a total")
  func countSamples() throws {
    let rtem = Self.samples.appendingPathComponent("salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst").path
    let elf = Self.samples.appendingPathComponent("salesforce-elf/API-2025-06-30.csv.gz").path
    let result = try runTool(exfilwatchExecutable, ["events", "--count", rtem, elf])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.outputText == """
      \(rtem): sf-rtem, 12639 records, 12639 events, 12639 reads, 0 rejected
      \(elf): sf-elf, 6397 records, 6397 events, 6397 reads, 0 rejected
      total: 19036 records, 19036 events, 19036 reads, 0 rejected

      """)
  }

  @Test("rejects: reported on stderr, all kept in a 0600 --rejects file with input, line and reason")
  func rejectsFile() throws {
    let directory = try TemporaryDirectory()
    let lines = (1...8).map { #"{"created_at":"2021-05-28T18:39:5\#($0)Z","action":"exported","id":\#($0)}"# }
      + [#"{"created_at":"2021-05-28T18:40:00Z","action":"#, #"{"action":"login"}"#, "\u{7B}\"created_at\":\"x\"}"]
    let input = try directory.write("audit.jsonl", Array(lines.joined(separator: "\n").utf8))
    let rejects = directory.path("rejects.jsonl")
    // An existing, world-readable file is made private too.
    #expect(FileManager.default.createFile(atPath: rejects, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))
    let result = try runTool(exfilwatchExecutable, ["events", "--format", "zendesk", "--rejects", rejects, input])
    #expect(result.status == 0)
    #expect(result.outputText.split(separator: "\n").count == 8)
    #expect(result.standardError.contains("audit.jsonl:9: rejected record (bad-json)"))
    #expect(result.standardError.contains("11 records, 8 events, 8 reads, 3 rejected (bad-json 1, bad-time 1, missing-time 1)"))
    let kept = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
    #expect(kept.count == 3)
    #expect(kept[0].contains(#""input":"\#(input)","line":9,"#))
    #expect(kept[0].contains(#""reason":"bad-json""#))
    let permissions = try FileManager.default.attributesOfItem(atPath: rejects)[.posixPermissions] as? Int
    #expect(permissions == 0o600)
  }

  @Test("a rejects file that cannot be written stops the run with exit 5")
  func rejectsFileFull() throws {
    let directory = try TemporaryDirectory()
    let input = try directory.write("audit.jsonl", Array(#"{"action":"login"}"#.utf8))
    let result = try runTool(exfilwatchExecutable, ["events", "--format", "zendesk", "--rejects", "/dev/full", input])
    #expect(result.status == 5)
    #expect(result.standardError.contains("cannot write to --rejects file '/dev/full'"))
  }

  @Test("an input in another format than --format is stopped with exit 3; usage errors are exit 2")
  func exitCodes() throws {
    let rtem = Self.samples.appendingPathComponent("salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst").path
    let wrong = try runTool(exfilwatchExecutable, ["events", "--format", "okta", rtem])
    #expect(wrong.status == 3)
    #expect(wrong.standardError.contains("20 of the first 20 records were rejected (mostly missing-time): this input is not okta"))

    #expect(try runTool(exfilwatchExecutable, ["events", "--format", "splunk", rtem]).status == 2)
    #expect(try runTool(exfilwatchExecutable, ["events", "--max-record-length", "9223372036854775807", rtem]).status == 2)
    let badField = try runTool(exfilwatchExecutable, ["events", "--format", "jsonl", "--field", "who=user", rtem])
    #expect(badField.status == 2)
    #expect(badField.standardError.contains("bad field mapping 'who=user'"))
    let noMapping = try runTool(exfilwatchExecutable, ["events", "--format", "jsonl", rtem])
    #expect(noMapping.status == 3)
    #expect(noMapping.standardError.contains("needs a field mapping"))
  }
}
