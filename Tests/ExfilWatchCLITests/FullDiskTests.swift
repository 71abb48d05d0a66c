import ExfilWatchTestSupport
import Foundation
import Testing

/// A disk that fills up while a scan writes (issue 9), on a real small file system: the run
/// stops with an error naming the file, no file is left torn, the state keeps its last good
/// commit, and the next run with room delivers everything.
@Suite(.serialized) struct FullDiskTests {
  static let week = ScanStateTests.week

  /// The findings of the sample week, as `uid.revision`, from a run with room.
  static func expectedKeys(in directory: TemporaryDirectory) throws -> [String] {
    let path = directory.path("expected.jsonl")
    _ = try runTool(exfilwatchExecutable, ["replay", "--sink", "jsonl:\(path)", week])
    return try WebhookDeliveryTests.jsonlKeys(path)
  }

  /// Every line of a findings file is a whole JSON object, and the file ends with a newline.
  static func expectWholeLines(_ bytes: [UInt8], _ comment: Comment) {
    #expect(bytes.isEmpty || bytes.last == UInt8(ascii: "\n"), comment)
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      #expect((try? JSONSerialization.jsonObject(with: Data(line))) is [String: Any], comment)
    }
  }

  @Test("the findings file's disk fills mid-line: exit 5, the torn line cut off, the next run completes it")
  func findingsFileOnAFullDisk() throws {
    let directory = try TemporaryDirectory()
    let expected = try Self.expectedKeys(in: directory)
    #expect(expected.count == 4)
    let disk = try SmallDisk(in: directory, bytes: 64 << 10)
    let state = directory.path("scan.state")
    // 8 KiB left: the first finding (about 4.5 KB) fits, the second is torn by the full disk.
    let full = try disk.run(
      exfilwatchExecutable, ["scan", "--state", state, "--sink", "jsonl:\(disk.path)/findings.jsonl", Self.week],
      filler: 56 << 10)
    #expect(full.status == 5, "\(full.standardError)")
    #expect(full.standardError.contains("\(disk.path)/findings.jsonl"), "\(full.standardError)")
    #expect(
      full.standardError.contains("No space left on device") || full.standardError.contains("File too large"),
      "\(full.standardError)")
    #expect(full.standardError.contains("progress not committed"), "\(full.standardError)")
    let left = try #require(disk.contents("findings.jsonl"))
    Self.expectWholeLines(left, "the file as the full disk left it")
    let written = left.split(separator: UInt8(ascii: "\n")).count
    #expect((1..<4).contains(written), "some findings fit before the disk filled: \(written)")

    // Room again: the same file, the same state; the week is read again from the last commit.
    let findings = directory.path("findings.jsonl")
    try Data(left).write(to: URL(fileURLWithPath: findings))
    let again = try runTool(exfilwatchExecutable, ["scan", "--state", state, "--sink", "jsonl:\(findings)", Self.week])
    #expect(again.status == 1, "\(again.standardError)")
    let all = try Array(Data(contentsOf: URL(fileURLWithPath: findings)))
    Self.expectWholeLines(all, "the file after the second run")
    #expect(Set(try WebhookDeliveryTests.jsonlKeys(findings)).isSuperset(of: expected), "nothing is lost")
  }

  @Test("the state's disk fills: the run stops naming the state, which keeps its last commit; the next run goes on from it")
  func stateOnAFullDisk() throws {
    let directory = try TemporaryDirectory()
    let expected = try Self.expectedKeys(in: directory)
    // A good commit after the first three days, made with room.
    let days = try FileManager.default.contentsOfDirectory(atPath: Self.week).filter { $0.hasSuffix(".zst") }.sorted()
    let early = directory.path("early")
    try FileManager.default.createDirectory(atPath: early, withIntermediateDirectories: true)
    for day in days.prefix(3) {
      try FileManager.default.createSymbolicLink(atPath: "\(early)/\(day)", withDestinationPath: "\(Self.week)/\(day)")
    }
    let roomy = directory.path("roomy.state")
    let first = try runTool(exfilwatchExecutable, ["scan", "--state", roomy, "--quiet", early])
    #expect(first.status == 0, "\(first.standardError)")
    let saved = try Array(Data(contentsOf: URL(fileURLWithPath: roomy)))

    // The same state on a disk with a little more room than it takes: the week's commits
    // need more.
    let disk = try SmallDisk(in: directory, bytes: (saved.count / 4096 + 24) * 4096)
    let findings = directory.path("findings.jsonl")
    let full = try disk.run(
      exfilwatchExecutable,
      ["scan", "--state", "\(disk.path)/scan.state", "--checkpoint-interval", "0s", "--sink", "jsonl:\(findings)", Self.week],
      files: ["scan.state": saved])
    #expect(full.status == 2, "exit 2, the state could not be used: \(full.standardError)")
    #expect(full.standardError.contains("\(disk.path)/scan.state"), "\(full.standardError)")
    #expect(
      ["No space left on device", "File too large", "disk is full"].contains { full.standardError.contains($0) },
      "\(full.standardError)")

    // What the full disk left loads, at the last commit that fitted, and the next run with room
    // continues from there and delivers every finding (some perhaps twice: at least once).
    let resumed = directory.path("resumed.state")
    try Data(try #require(disk.contents("scan.state"))).write(to: URL(fileURLWithPath: resumed))
    if let wal = disk.contents("scan.state-wal") {
      try Data(wal).write(to: URL(fileURLWithPath: resumed + "-wal"))
    }
    let again = try runTool(exfilwatchExecutable, ["scan", "--verbose", "--state", resumed, "--sink", "jsonl:\(findings)", Self.week])
    #expect(again.status == 1, "\(again.standardError)")
    #expect(again.standardError.contains("29503 events"), "the state counts the week once: \(again.standardError)")
    #expect(Set(try WebhookDeliveryTests.jsonlKeys(findings)).isSuperset(of: expected), "nothing is lost")
  }
}
