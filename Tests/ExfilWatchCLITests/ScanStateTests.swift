import ExfilWatchTestSupport
import Foundation
import Testing

/// `exfilwatch scan` with its state file, run the way cron runs it: a file appears, a scan
/// runs; a scan is killed and run again; two scans collide.
@Suite struct ScanStateTests {
  /// The bundled attack week: seven daily zstd files.
  static let week = ReplayCommandTests.simulated.appendingPathComponent("connected-app-exfil").path

  @Test("a scan after each daily file finds what one run over the month finds, each finding once")
  func cronScansEqualOneRun() throws {
    let directory = try TemporaryDirectory()
    let logs = directory.path("logs")
    _ = try runToolChecked(
      exfilwatchExecutable,
      ["simulate", "--scenario", "connected-app-exfil", "--out", logs, "--days", "30", "--agents", "20", "--seed", "11"])
    let days = try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasSuffix(".zst") }.sorted()
    #expect(days.count == 30)
    let arriving = directory.path("arriving")
    try FileManager.default.createDirectory(atPath: arriving, withIntermediateDirectories: true)
    let scanSink = directory.path("scans.jsonl")
    var statuses: [Int32] = []
    for day in days {
      try FileManager.default.copyItem(atPath: "\(logs)/\(day)", toPath: "\(arriving)/\(day)")
      let scan = try runTool(
        exfilwatchExecutable, ["scan", "--state", directory.path("cron.state"), "--sink", "jsonl:\(scanSink)", arriving])
      #expect([0, 1].contains(scan.status), "\(day): \(scan.standardError)")
      #expect(scan.status == 1 || scan.standardError.isEmpty, "a scan that finds nothing says nothing")
      statuses.append(scan.status)
    }
    let wholeSink = directory.path("whole.jsonl")
    let whole = try runTool(
      exfilwatchExecutable, ["replay", "--state", directory.path("whole.state"), "--sink", "jsonl:\(wholeSink)", logs])
    #expect(whole.status == 1, "\(whole.standardError)")
    let expected = try ReplayCommandTests.comparableFindings(wholeSink)
    #expect(!expected.isEmpty)
    #expect(try ReplayCommandTests.comparableFindings(scanSink) == expected)
    #expect(statuses.filter { $0 == 1 }.count >= 1 && statuses.filter { $0 == 0 }.count >= 20)
    // A scan with nothing new reads nothing and delivers nothing.
    let again = try runTool(
      exfilwatchExecutable,
      ["scan", "--verbose", "--state", directory.path("cron.state"), "--sink", "jsonl:\(scanSink)", arriving])
    #expect(again.status == 0, "\(again.standardError)")
    #expect(again.standardError.contains(" 0 events"), "\(again.standardError)")
    #expect(try ReplayCommandTests.comparableFindings(scanSink).count == expected.count)
  }

  @Test("killed at random moments 20 times and run again: the findings and counts of one run")
  func killedScansLoseAndRepeatNothing() throws {
    let directory = try TemporaryDirectory()
    let arguments = ["scan", "--verbose", "--checkpoint-interval", "300ms"]
    let clean = try runTool(
      exfilwatchExecutable,
      arguments + ["--state", directory.path("clean.state"), "--sink", "jsonl:\(directory.path("clean.jsonl"))", Self.week])
    #expect(clean.status == 1, "\(clean.standardError)")
    let cleanTotals = try #require(Self.stateLine(clean.standardError))

    let sink = directory.path("killed.jsonl")
    let killedArguments = arguments + ["--state", directory.path("killed.state"), "--sink", "jsonl:\(sink)", Self.week]
    var random = SystemRandomNumberGenerator()
    for _ in 0..<20 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: exfilwatchExecutable)
      process.arguments = killedArguments
      process.standardError = FileHandle.nullDevice
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      usleep(UInt32.random(in: 150_000...2_500_000, using: &random))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    let last = try runTool(exfilwatchExecutable, killedArguments)
    #expect([0, 1].contains(last.status), "\(last.standardError)")
    #expect(Self.stateLine(last.standardError) == cleanTotals, "no event counted twice or lost")
    let expected = try ReplayCommandTests.comparableFindings(directory.path("clean.jsonl"))
    let delivered = try ReplayCommandTests.comparableFindings(sink)
    // At least once: a finding written just before a kill, whose commit the kill prevented, is
    // written again under the same id and version; nothing else is.
    var distinct: [NSDictionary] = []
    for finding in delivered where !distinct.contains(finding) { distinct.append(finding) }
    #expect(distinct == expected)
  }

  @Test("a second scan on a state file in use exits 4; a dead holder's lock is taken over")
  func lockedStateFile() throws {
    let directory = try TemporaryDirectory()
    let state = directory.path("locked.state")
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    holder.arguments = [state + ".lock", "sleep", "60"]
    try holder.run()
    defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
    var waited = 0
    while !FileManager.default.fileExists(atPath: state + ".lock") && waited < 100 {
      usleep(50_000)
      waited += 1
    }
    usleep(200_000)
    let blocked = try runTool(exfilwatchExecutable, ["scan", "--state", state, Self.week])
    #expect(blocked.status == 4)
    #expect(blocked.standardError.contains("in use by another exfilwatch run"), "\(blocked.standardError)")
    kill(holder.processIdentifier, SIGKILL)
    holder.waitUntilExit()
    let after = try runTool(exfilwatchExecutable, ["scan", "--state", state, "--sink", "jsonl:\(directory.path("f.jsonl"))", Self.week])
    #expect(after.status == 1, "\(after.standardError)")
  }

  @Test("a damaged state file is an error naming it (exit 2); --reset-state starts over")
  func damagedStateFile() throws {
    let directory = try TemporaryDirectory()
    let state = try directory.write("damaged.state", Array(repeating: 0x5A, count: 8192))
    let refused = try runTool(exfilwatchExecutable, ["scan", "--state", state, Self.week])
    #expect(refused.status == 2)
    #expect(refused.standardError.contains(state) && refused.standardError.contains("--reset-state"))
    let reset = try runTool(
      exfilwatchExecutable, ["scan", "--reset-state", "--state", state, "--sink", "jsonl:\(directory.path("f.jsonl"))", Self.week])
    #expect(reset.status == 1, "\(reset.standardError)")
    var status = stat()
    #expect(stat(state, &status) == 0 && status.st_mode & 0o777 == 0o600)
  }

  @Test("grown, rotated and recompressed files: each event read once")
  func grownRotatedAndRecompressedFiles() throws {
    let directory = try TemporaryDirectory()
    let logs = directory.path("logs")
    try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
    let days = try (1...5).map { try runToolChecked("zstd", ["-dc", "\(Self.week)/ApiEvent-2025-06-0\($0).jsonl.zst"]) }
    let lineCounts = days.map { $0.filter { $0 == 0x0A }.count }
    let log = logs + "/app.jsonl"
    func scan() throws -> Int {
      let result = try runTool(exfilwatchExecutable, ["scan", "--verbose", "--state", directory.path("s.state"), logs])
      #expect([0, 1].contains(result.status), "\(result.standardError)")
      let events = try #require(result.standardError.firstMatch(of: /, (\d+) events \(/)?.1)
      return Int(events)!
    }
    FileManager.default.createFile(atPath: log, contents: Data(days[0] + days[1] + days[2]))
    #expect(try scan() == lineCounts[0] + lineCounts[1] + lineCounts[2])
    let handle = try #require(FileHandle(forWritingAtPath: log))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(days[3]))
    try handle.close()
    #expect(try scan() == lineCounts[3], "only what the file gained")
    try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
    FileManager.default.createFile(atPath: log, contents: Data(days[4]))
    #expect(try scan() == lineCounts[4], "the rotated file is known under its new name")
    _ = try runToolChecked("gzip", [log + ".1"])
    #expect(try scan() == 0, "recompressed after rotation, it is known by its content")
    #expect(try scan() == 0)
  }

  /// The summary's totals of the state file since it began: events, records and findings.
  static func stateLine(_ standardError: String) -> String? {
    guard let line = standardError.split(separator: "\n").first(where: { $0.contains("exfilwatch: state ") }),
      let match = line.firstMatch(of: /(\d+) events \(([\d,]+) records\) and (\d+) findings/)
    else { return nil }
    return "\(match.1) events, \(match.2) records, \(match.3) findings"
  }
}

/// `replay` of many orgs' daily files in any order is one event-time order.
@Suite struct ReplayOrderTests {
  @Test("three orgs' daily files, given shuffled, find what one time-sorted file finds")
  func shuffledOrgsEqualOneSortedFile() throws {
    let directory = try TemporaryDirectory()
    var files: [String] = []
    var lines: [(time: Substring, line: ArraySlice<UInt8>)] = []
    for (org, scenario) in ["connected-app-exfil", "baseline", "compromised-agent"].enumerated() {
      let logs = directory.path("org\(org)")
      _ = try runToolChecked(
        exfilwatchExecutable,
        ["simulate", "--scenario", scenario, "--out", logs, "--days", "10", "--agents", "15", "--seed", "\(31 + org)"])
      for day in try FileManager.default.contentsOfDirectory(atPath: logs).filter({ $0.hasSuffix(".zst") }) {
        files.append("\(logs)/\(day)")
        let text = try runToolChecked("zstd", ["-dc", "\(logs)/\(day)"])
        for line in text.split(separator: 0x0A) {
          let time = try #require(String(decoding: line, as: UTF8.self).firstMatch(of: /"EventDate":"([^"]+)"/)?.1)
          lines.append((time, line))
        }
      }
    }
    #expect(files.count == 30)
    // EventDate is always written the same way (UTC, milliseconds), so text order is time order.
    let sorted = lines.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
    let whole = try directory.write("sorted.jsonl", sorted.flatMap { Array($0.element.line) + [0x0A] })
    var random = SystemRandomNumberGenerator()
    files.shuffle(using: &random)
    let sortedSink = directory.path("sorted-findings.jsonl")
    let shuffledSink = directory.path("shuffled-findings.jsonl")
    let sortedRun = try runTool(exfilwatchExecutable, ["replay", "--sink", "jsonl:\(sortedSink)", whole])
    let shuffledRun = try runTool(exfilwatchExecutable, ["replay", "--sink", "jsonl:\(shuffledSink)"] + files)
    #expect(sortedRun.status == 1 && shuffledRun.status == 1, "\(shuffledRun.standardError)")
    #expect(shuffledRun.standardError.contains(" 0 late "), "\(shuffledRun.standardError)")
    let expected = try ReplayCommandTests.comparableFindings(sortedSink)
    #expect(!expected.isEmpty)
    #expect(try ReplayCommandTests.comparableFindings(shuffledSink) == expected)
  }
}

/// What `scan` is given: pipes read once, files named twice read once.
@Suite struct ScanInputsTests {
  static let day1 = ScanStateTests.week + "/ApiEvent-2025-06-01.jsonl.zst"

  private static func events(_ standardError: String) -> Int? {
    // "exfilwatch: scan: 1 input, 2.4 MB read, 2.4 MB decoded, 2000 events (…"
    guard let line = standardError.split(separator: "\n").first(where: { $0.contains(" decoded, ") }),
      let range = line.range(of: #"decoded, [0-9,]+ events"#, options: .regularExpression)
    else { return nil }
    return Int(line[range].dropFirst("decoded, ".count).dropLast(" events".count).filter(\.isNumber))
  }

  /// Only regular files are fingerprinted for the state file: a pipe (`<(zstdcat …)`, a FIFO)
  /// read for a fingerprint would lose its first bytes.
  @Test("scan of a process substitution reads every event, as replay does")
  func scanOfPipe() throws {
    let directory = try TemporaryDirectory()
    let replay = try runTool(
      "/bin/bash", ["-c", "\(exfilwatchExecutable) replay --verbose <(zstdcat \(Self.day1))"])
    let scan = try runTool(
      "/bin/bash",
      ["-c", "\(exfilwatchExecutable) scan --verbose --state \(directory.path("s")) <(zstdcat \(Self.day1))"])
    #expect(Self.events(replay.standardError) == 2470, "\(replay.standardError)")
    #expect(Self.events(scan.standardError) == Self.events(replay.standardError), "\(scan.standardError)")
  }

  /// A file named twice (or met by a directory walk and named as well) is read once.
  @Test("a file named twice is read once, and a scan with nothing new reads nothing")
  func inputGivenTwice() throws {
    let directory = try TemporaryDirectory()
    let text = try runToolChecked("zstd", ["-dc", Self.day1])
    let lines = text.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(1000)
    let log = try directory.write("a.jsonl", Array(lines.joined(separator: [0x0A])) + [0x0A])
    let arguments = ["scan", "--verbose", "--state", directory.path("s"), log, log]
    let first = try runTool(exfilwatchExecutable, arguments)
    #expect(Self.events(first.standardError) == 1000, "\(first.standardError)")
    let second = try runTool(exfilwatchExecutable, arguments)
    #expect(Self.events(second.standardError) == 0, "nothing new, yet: \(second.standardError)")
  }
}
