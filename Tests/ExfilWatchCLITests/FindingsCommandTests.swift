import ExfilWatchDetector
import ExfilWatchSinks
import ExfilWatchTestSupport
import Foundation
import Testing

/// `exfilwatch findings` run as a user runs it, on databases the SQLite sink wrote.
@Suite struct FindingsCommandTests {
  /// 2025-06-04T16:10:00Z.
  static let attackTime: Int64 = 1_749_053_400_000

  /// A finding on `dimension=key`, decided at `time`, with made-up but consistent numbers.
  static func finding(
    _ id: String, time: Int64, severity: Finding.Severity = .high, key: String = "0H4Hs00000E1gDPKAZ",
    dimension: String = "client", revision: Int = 1, activity: Finding.Activity = .create,
    records: Int64 = 612_000
  ) -> Finding {
    let evidence = WindowEvidence(
      dimension: dimension, key: key, horizon: "5m", windowStart: time - 360_000, windowEnd: time - 60_000,
      metric: .records, records: records, reads: 612, baselineRecords: 1340.4, baselineReads: 3.5,
      busiestRecords: 2000, busiestReads: 7, score: 14.23, multiple: 306, judgedAgainstPeers: false,
      firstEventTime: time - 359_000, lastEventTime: time - 61_000, actors: [], clients: [], sourceIPs: [],
      objects: [], sampleEventIDs: [], sampleSources: [], recentWindowRecords: [records])
    return Finding(
      id: id, revision: revision, activity: activity, severity: severity, time: time,
      firstSeenTime: time - 359_000, lastSeenTime: time - 61_000,
      title: "Bulk record reads far above the client's baseline", description: "\(key) read \(records) records",
      analytic: "bulk_read_by_\(dimension)", keys: [FlaggedKey(dimension: dimension, value: key, horizons: ["5m"])],
      evidence: evidence, tenant: nil, format: .salesforceRTEM)
  }

  /// A findings database holding `findings`, written in one batch.
  static func database(
    _ directory: TemporaryDirectory, _ findings: [Finding], name: String = "findings.db"
  ) throws -> String {
    let path = directory.path(name)
    var sink = try SQLiteFindingSink(path: path, productVersion: "0.1.0")
    for finding in findings { sink.write(finding) }
    try sink.flush()
    return path
  }

  /// Three incidents of an attack on 2025-06-04, written out of order, one of them updated.
  static let attack = [
    finding("exw-000000000000000c", time: attackTime + 600_000, severity: .critical, key: "198.51.100.169", dimension: "source_ip"),
    finding("exw-000000000000000a", time: attackTime),
    finding("exw-000000000000000b", time: attackTime + 300_000, severity: .medium, key: "s.velasco@contact.example-air.com", dimension: "actor", records: 9_500),
    finding("exw-000000000000000a", time: attackTime + 900_000, revision: 2, activity: .update, records: 1_224_000),
  ]

  @Test func tableListsEachIncidentsLatestRevisionOldestFirst() throws {
    let directory = try TemporaryDirectory()
    let db = try Self.database(directory, Self.attack)
    let result = try runTool(exfilwatchExecutable, ["findings", "--db", db])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardError.isEmpty)
    #expect(result.outputText == """
      TIME                  SEVERITY  ACTIVITY  VERSION  KEY                                        RECORDS  BASELINE  SCORE  ID
      2025-06-04T16:15:00Z  Medium    Create          1  actor=s.velasco@contact.example-air.com      9,500     1,340   14.2  exw-000000000000000b
      2025-06-04T16:20:00Z  Critical  Create          1  source_ip=198.51.100.169                   612,000     1,340   14.2  exw-000000000000000c
      2025-06-04T16:25:00Z  High      Update          2  client=0H4Hs00000E1gDPKAZ                1,224,000     1,340   14.2  exw-000000000000000a

      """)
  }

  @Test func severityListsThatSeverityAndAbove() throws {
    let directory = try TemporaryDirectory()
    let db = try Self.database(directory, Self.attack)
    let result = try runTool(exfilwatchExecutable, ["findings", "--db", db, "--severity", "HIGH"])
    #expect(result.status == 0, "\(result.standardError)")
    let ids = result.outputText.split(separator: "\n").dropFirst().map { $0.split(separator: " ").last.map(String.init) }
    #expect(ids == ["exw-000000000000000c", "exw-000000000000000a"])
    let wrong = try runTool(exfilwatchExecutable, ["findings", "--db", db, "--severity", "severe"])
    #expect(wrong.status == 2)
    #expect(wrong.standardError.contains("'severe' is invalid"))
  }

  @Test func sinceIsASpanBackFromNowOrAUTCTime() throws {
    let directory = try TemporaryDirectory()
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let db = try Self.database(
      directory,
      Self.attack + [
        Self.finding("exw-00000000000000d1", time: now - 3_600_000),
        Self.finding("exw-00000000000000d2", time: now - 48 * 3_600_000),
      ])
    func listedIDs(_ since: String) throws -> [String] {
      let result = try runTool(exfilwatchExecutable, ["findings", "--db", db, "--since", since])
      #expect(result.status == 0, "\(result.standardError)")
      return result.outputText.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").last.map(String.init) }
    }
    #expect(try listedIDs("24h") == ["exw-00000000000000d1"])
    #expect(try listedIDs("3d") == ["exw-00000000000000d2", "exw-00000000000000d1"])
    #expect(try listedIDs("2025-06-04T16:20:00Z") == ["exw-000000000000000c", "exw-000000000000000a", "exw-00000000000000d2", "exw-00000000000000d1"])
    #expect(try listedIDs("2025-06-05").count == 2)
  }

  @Test func nothingRecentSaysHowOldTheNewestFindingIs() throws {
    let directory = try TemporaryDirectory()
    let db = try Self.database(directory, Self.attack)
    let result = try runTool(exfilwatchExecutable, ["findings", "--db", db, "--since", "24h"])
    #expect(result.status == 0)
    #expect(result.standardOutput.isEmpty)
    #expect(result.standardError.contains("no findings since "))
    #expect(result.standardError.contains("the newest is from 2025-06-04T16:25:00Z"))
    let none = try runTool(exfilwatchExecutable, ["findings", "--db", try Self.database(directory, [], name: "empty.db")])
    #expect(none.status == 0 && none.standardOutput.isEmpty)
    #expect(none.standardError.hasPrefix("exfilwatch: no findings in "))
  }

  @Test func jsonPrintsEachStoredOCSFFindingOnOneLine() throws {
    let directory = try TemporaryDirectory()
    let db = try Self.database(directory, Self.attack)
    let result = try runTool(exfilwatchExecutable, ["findings", "--db", db, "--json", "--severity", "medium"])
    #expect(result.status == 0, "\(result.standardError)")
    let events = try result.outputText.split(separator: "\n").map {
      try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(events.map { ($0["finding_info"] as? [String: Any])?["uid"] as? String } == [
      "exw-000000000000000b", "exw-000000000000000c", "exw-000000000000000a",
    ])
    #expect(events.map { ($0["metadata"] as? [String: Any])?["uid"] as? String }.last == "exw-000000000000000a-2")
    #expect(events.map { $0["class_uid"] as? Int } == [2004, 2004, 2004])
  }

  @Test func keysFromTheLogsAreEscapedAndLongOnesShortened() throws {
    let directory = try TemporaryDirectory()
    let long = "a-very-long-user-name-that-goes-on@a-very-long-domain.example+Contact"
    let db = try Self.database(
      directory,
      [
        Self.finding("exw-00000000000000e1", time: Self.attackTime, key: "evil\u{1B}[2J\nuser \"x\"", dimension: "actor"),
        Self.finding("exw-00000000000000e2", time: Self.attackTime + 1, key: long, dimension: "actor+object"),
      ])
    let result = try runTool(exfilwatchExecutable, ["findings", "--db", db])
    #expect(result.status == 0, "\(result.standardError)")
    let lines = result.outputText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    #expect(lines.count == 3, "a newline in a key does not start a line")
    #expect(!result.outputText.contains("\u{1B}"))
    #expect(lines[1].contains(#" actor="evil\u{1B}[2J\nuser \"x\"" "#))
    #expect(lines[2].contains(" actor+object=a-very-long…-domain.example+Contact "))
  }

  @Test func anUnreadableDatabaseIsAUsageErrorNamingTheFile() throws {
    let directory = try TemporaryDirectory()
    let missing = directory.path("missing.db")
    let result = try runTool(exfilwatchExecutable, ["findings", "--db", missing])
    #expect(result.status == 2)
    #expect(result.standardOutput.isEmpty)
    #expect(result.standardError == "exfilwatch: cannot read findings database '\(missing)': No such file or directory\n")
    #expect(!FileManager.default.fileExists(atPath: missing))

    let notADatabase = try directory.write("notes.txt", Array("meeting notes\n".utf8) + Array(repeating: 0x20, count: 4096))
    let refused = try runTool(exfilwatchExecutable, ["findings", "--db", notADatabase])
    #expect(refused.status == 2)
    #expect(refused.standardError.contains("'\(notADatabase)': file is not a database"))

    let badSince = try runTool(exfilwatchExecutable, ["findings", "--db", missing, "--since", "yesterday"])
    #expect(badSince.status == 2 && badSince.standardError.contains("'yesterday' is invalid"))
  }
}
