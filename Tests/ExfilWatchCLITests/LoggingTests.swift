import ExfilWatchTestSupport
import Foundation
import Testing

/// `--log-format json` for log shippers and `--log-level` to quiet a run, on real runs.
@Suite struct LoggingTests {
  /// A day of the bundled attack with a malformed line in the middle.
  private static func input(in directory: TemporaryDirectory) throws -> String {
    let day = try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/ApiEvent-2025-06-01.jsonl.zst"])
    let lines = day.split(separator: 0x0A)
    func joined(_ part: ArraySlice<ArraySlice<UInt8>>) -> [UInt8] { part.flatMap { Array($0) + [0x0A] } }
    let broken: [UInt8] = Array("{\"EventDate\": \n".utf8)
    return try directory.write("ApiEvent.jsonl", joined(lines.prefix(100)) + broken + joined(lines.dropFirst(100).prefix(100)))
  }

  @Test("json: every line on standard error is one object with time, level and message; a reject carries its input, line and reason")
  func writesJSONLines() throws {
    let directory = try TemporaryDirectory()
    let path = try Self.input(in: directory)
    let replay = try runTool(exfilwatchExecutable, ["replay", "--log-format", "json", "--sink", "jsonl:/dev/null", path])
    #expect(replay.status == 0, "\(replay.standardError)")
    let objects = try replay.standardError.split(separator: "\n").map { line in
      try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
    }
    #expect(objects.count >= 5)
    for object in objects {
      #expect((object["time"] as? String)?.hasSuffix("Z") == true)
      #expect(["info", "warning"].contains(object["level"] as? String))
      #expect((object["message"] as? String)?.isEmpty == false)
    }
    let reject = try #require(objects.first { $0["reason"] != nil })
    #expect(reject["level"] as? String == "warning")
    #expect(reject["input"] as? String == path)
    #expect(reject["line"] as? String == "101")
    #expect(reject["reason"] as? String == "bad-json")
    #expect(objects.contains { ($0["message"] as? String)?.hasPrefix("replay: 1 input") == true && $0["level"] as? String == "info" })
  }

  @Test("--log-level warning keeps warnings and drops the run summary; text lines are unchanged")
  func filtersByLevel() throws {
    let directory = try TemporaryDirectory()
    let path = try Self.input(in: directory)
    let quiet = try runTool(exfilwatchExecutable, ["replay", "--log-level", "warning", "--sink", "jsonl:/dev/null", path])
    #expect(quiet.status == 0)
    #expect(quiet.standardError == "exfilwatch: \(path):101: rejected record (bad-json)\n")
    let loud = try runTool(exfilwatchExecutable, ["replay", "--sink", "jsonl:/dev/null", path])
    #expect(loud.standardError.hasPrefix("exfilwatch: \(path):101: rejected record (bad-json)\nexfilwatch: replay: 1 input"))
    let wrong = try runTool(exfilwatchExecutable, ["replay", "--log-level", "loud", path])
    #expect(wrong.status == 2)
  }
}
