import ExfilWatchTestSupport
import Foundation
import Testing

/// Records an attacker or a broken source can put in the logs (issue 9): a clock a century
/// ahead, a user name megabytes long, a flood of made-up names. Each is counted and said, and
/// the rest of the logs are judged as if it were not there.
@Suite struct HostileInputTests {
  /// The sample week's days, decompressed, with `extra` lines put in day 4 before its
  /// `line`-th record (before the attack, which starts in the afternoon).
  static func week(in directory: TemporaryDirectory, insertingIntoDay4 extra: [String], atLine line: Int) throws -> String {
    let folder = directory.path("week")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for day in 1...7 {
      let name = "ApiEvent-2025-06-0\(day).jsonl"
      var lines = String(decoding: try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/\(name).zst"]), as: UTF8.self)
        .split(separator: "\n").map(String.init)
      if day == 4 { lines.insert(contentsOf: extra, at: line - 1) }
      try (lines.joined(separator: "\n") + "\n").write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
    }
    return folder
  }

  /// Day 4's first record with its time and user name replaced.
  static func day4Record(time: String, user: String? = nil) throws -> String {
    let first = String(decoding: try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/ApiEvent-2025-06-04.jsonl.zst"]), as: UTF8.self)
      .split(separator: "\n")[0]
    var record = try #require(JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
    record["EventDate"] = time
    if let user { record["Username"] = user }
    return String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
  }

  func replay(_ folder: String, _ directory: TemporaryDirectory, name: String) throws -> (ToolResult, [String]) {
    let findings = directory.path("\(name).jsonl")
    let result = try runTool(exfilwatchExecutable, ["replay", "--sink", "jsonl:\(findings)", folder])
    return (result, try WebhookDeliveryTests.jsonlKeys(findings))
  }

  @Test("one record stamped 2099: said with its file and line, counted, and every finding as without it")
  func recordFromTheFuture() throws {
    let directory = try TemporaryDirectory()
    let (plain, expected) = try replay(try Self.week(in: directory, insertingIntoDay4: [], atLine: 1), directory, name: "plain")
    #expect(plain.status == 1)
    let future = try Self.day4Record(time: "2099-01-01T00:00:00.000+0000")
    let other = try TemporaryDirectory()
    let folder = try Self.week(in: other, insertingIntoDay4: [future], atLine: 2000)
    let (result, keys) = try replay(folder, directory, name: "future")
    #expect(result.status == 1, "\(result.standardError)")
    #expect(keys == expected)
    #expect(result.standardError.contains("ApiEvent-2025-06-04.jsonl:2000: event time more than 1h ahead"), "\(result.standardError)")
    #expect(result.standardError.contains("1 with a wrong clock"), "\(result.standardError)")
    #expect(result.standardError.contains("0 too late for any window"), "\(result.standardError)")
  }

  @Test("a user name of a megabyte is keyed as 512 bytes and a hash, and named whole in its finding; the run says how many were cut")
  func hugeUserName() throws {
    let directory = try TemporaryDirectory()
    let huge = String(repeating: "x", count: 1 << 20 - 4096) + "@example.com"
    // A bulk read under that name, big enough to be flagged.
    var fields = try #require(JSONSerialization.jsonObject(
      with: Data(try Self.day4Record(time: "2025-06-04T09:00:00.000+0000", user: huge).utf8)) as? [String: Any])
    fields["RowsProcessed"] = 400_000
    let record = String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    let folder = try Self.week(in: directory, insertingIntoDay4: [record, record], atLine: 3000)
    let events = try runTool(
      exfilwatchExecutable, ["events", "--format", "sf-rtem", "--max-record-length", "2M", "\(folder)/ApiEvent-2025-06-04.jsonl"])
    #expect(events.status == 0, "\(events.standardError)")
    let actors = events.outputText.split(separator: "\n").compactMap { line in
      (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["actor"] as? String
    }.filter { $0.hasPrefix("xxxx") }
    #expect(actors.count == 2)
    #expect(Set(actors).count == 1, "the same name gives the same key")
    #expect(actors.allSatisfy { $0.utf8.count == 512 + "…#0123456789abcdef".utf8.count && $0.contains("…#") })
    let findings = directory.path("findings.jsonl")
    let replayed = try runTool(exfilwatchExecutable, ["replay", "--max-record-length", "2M", "--sink", "jsonl:\(findings)", folder])
    #expect(replayed.standardError.contains("2 values over --max-key-length shortened"), "\(replayed.standardError)")
    let named = try String(contentsOfFile: findings, encoding: .utf8).split(separator: "\n").filter { $0.contains("xxxx") }
    #expect(!named.isEmpty, "the bulk read under the long name is a finding")
    #expect(named.allSatisfy { $0.contains(huge) && !$0.contains("…#") }, "its finding names the whole user name")
  }

  /// A pipe has no size to keep to: the check for files truncated while read leaves it alone.
  @Test("a day piped on standard input is read whole")
  func standardInputIsReadWhole() throws {
    let day = try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/ApiEvent-2025-06-04.jsonl.zst"])
    let piped = try runTool(exfilwatchExecutable, ["events", "--count", "-"], input: day)
    #expect(piped.status == 0, "\(piped.standardError)")
    let lines = day.split(separator: 0x0A).count
    #expect(piped.outputText.contains("\(lines) records, \(lines) events"), "\(piped.outputText)")
    let replayed = try runTool(exfilwatchExecutable, ["replay", "-"], input: day)
    #expect(replayed.status == 0, "\(replayed.standardError)")
  }
}
