import ExfilWatchTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// `exfilwatch tail` following files a writer appends to, rotates and truncates, as a live
/// log shipper does: what it finds equals what one run over the same data finds.
@Suite struct TailCommandTests {
  @Test("appended, rotated, truncated, zstd frames, gzip members, globs, restarted: the findings of one run")
  func followsAWritingLog() throws {
    let directory = try TemporaryDirectory()
    let live = directory.path("live")
    try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
    let plain = live + "/app.jsonl"
    let framed = live + "/api.jsonl.zst"
    let members = live + "/api.jsonl.gz"
    let days = try FileManager.default.contentsOfDirectory(atPath: ScanStateTests.week)
      .filter { $0.hasSuffix(".zst") }.sorted()
      .map { try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/\($0)"]) }
    #expect(days.count == 7)
    let sink = directory.path("tail.jsonl")
    let arguments = [
      "tail", "--state", directory.path("tail.state"), "--sink", "jsonl:\(sink)", "--poll-interval", "100ms",
      "--rotate-wait", "300ms", "--idle-close", "0s", "--checkpoint-interval", "500ms", plain,
      live + "/*.zst", live + "/*.gz",
    ]
    var tail = try TailProcess(arguments)

    // Day 1 into the plain file in pieces, a line split across two writes.
    try append(plain, Array(days[0].prefix(100_000)))
    try append(plain, Array(days[0].dropFirst(100_000)))
    try tail.waitUntilRead([plain])
    // Day 2 into the zstd file, one frame per 2,000 lines, one frame written in two halves.
    for (index, frame) in try frames(of: days[1]).enumerated() {
      if index == 1 {
        try append(framed, Array(frame.prefix(frame.count / 2)))
        usleep(300_000)
        try append(framed, Array(frame.dropFirst(frame.count / 2)))
      } else {
        try append(framed, frame)
      }
    }
    try tail.waitUntilRead([framed])
    // Rotation by rename: the old file is read to its end, the new one from its start.
    try FileManager.default.moveItem(atPath: plain, toPath: plain + ".1")
    try append(plain, days[2])
    try tail.waitUntilRead([plain])
    // A graceful stop and a restart in the middle.
    try tail.stop()
    for frame in try frames(of: days[3]) { try append(framed, frame) }
    tail = try TailProcess(arguments)
    try tail.waitUntilRead([framed, plain])
    // copytruncate: copied away, truncated in place, then written again.
    try FileManager.default.copyItem(atPath: plain, toPath: plain + ".2")
    try FileHandle(forWritingAtPath: plain).map { try $0.truncate(atOffset: 0); try $0.close() }
    usleep(600_000)
    try append(plain, days[4])
    try tail.waitUntilRead([plain])
    for frame in try frames(of: days[5]) { try append(framed, frame) }
    try tail.waitUntilRead([framed])
    // A file that appears later under a glob, written as two gzip members.
    let half = days[6].count / 2
    let lineEnd = days[6][half...].firstIndex(of: 0x0A)! + 1
    try append(members, try runToolChecked("gzip", ["-n", "-c"], input: Array(days[6][..<lineEnd])))
    try tail.waitUntilRead([members])
    try append(members, try runToolChecked("gzip", ["-n", "-c"], input: Array(days[6][lineEnd...])))
    try tail.waitUntilRead([members])
    let standardError = try tail.stop()

    let replaySink = directory.path("replay.jsonl")
    let replay = try runTool(
      exfilwatchExecutable,
      ["replay", "--allowed-lateness", "1m", "--state", directory.path("replay.state"), "--sink", "jsonl:\(replaySink)",
       ScanStateTests.week])
    #expect(replay.status == 1, "\(replay.standardError)")
    let expected = try ReplayCommandTests.comparableFindings(replaySink)
    #expect(!expected.isEmpty)
    #expect(try ReplayCommandTests.comparableFindings(sink) == expected, "\(standardError)")
    #expect(standardError.contains("1 truncated file(s) read again"), "\(standardError)")
  }

  @Test("a finding within a hop of its window; a source that goes quiet is closed by --idle-close")
  func findingsWithinAHopAndIdleSources() throws {
    let directory = try TemporaryDirectory()
    var text: [UInt8] = []
    for day in 1...4 {
      text += try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/ApiEvent-2025-06-0\(day).jsonl.zst"])
    }
    let lines = try text.split(separator: 0x0A).map {
      (try #require(String(decoding: $0, as: UTF8.self).firstMatch(of: /"EventDate":"([^"]+)"/)).1, $0)
    }
    // The bulk read's first flagged window is 15:58-16:03 on 4 June (10,018 records). Cut the
    // log a little after its end plus a hop (1m), or just before.
    for (cut, idleClose, expectsFinding) in [
      ("2025-06-04T16:04:30", "0s", true), ("2025-06-04T16:03:50", "0s", false), ("2025-06-04T16:03:50", "2s", true),
    ] {
      let path = directory.path("\(cut)-\(idleClose).jsonl")
      try append(path, lines.filter { $0.0 < cut }.flatMap { Array($0.1) + [UInt8(0x0A)] })
      let sink = directory.path("\(cut)-\(idleClose)-findings.jsonl")
      let tail = try TailProcess([
        "tail", "--state", directory.path("\(cut)-\(idleClose).state"), "--sink", "jsonl:\(sink)",
        "--poll-interval", "100ms", "--idle-close", idleClose, path,
      ])
      try tail.waitUntilRead([path])
      let deadline = Date().addingTimeInterval(expectsFinding ? 30 : 4)
      while Date() < deadline && ((try? readBytes(sink))?.isEmpty ?? true) { usleep(100_000) }
      let said = try tail.stop()
      let findings = ((try? readBytes(sink)) ?? []).isEmpty ? [] : try ReplayCommandTests.findings(sink)
      #expect(findings.isEmpty != expectsFinding, "log to \(cut), --idle-close \(idleClose): \(said)")
    }
  }

  /// Fewer first events than the detector waits for to choose its start (`--jump-confirmations`),
  /// then quiet: --idle-close starts it with them, and their windows are judged.
  @Test("a source quiet after five events still has their windows judged with --idle-close")
  func fewEventsThenQuiet() throws {
    let directory = try TemporaryDirectory()
    let day = try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/ApiEvent-2025-06-01.jsonl.zst"])
    let path = directory.path("five.jsonl")
    try append(path, Array(day.split(separator: 0x0A).prefix(5).joined(separator: [0x0A])) + [0x0A])
    let metrics = directory.path("tail.prom")
    let tail = try TailProcess([
      "tail", "--state", directory.path("tail.state"), "--poll-interval", "100ms", "--idle-close", "1s",
      "--metrics-file", metrics, path,
    ])
    try tail.waitUntilRead([path])
    func judged() -> Double {
      let text = (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? ""
      return text.split(separator: "\n").first { $0.hasPrefix("exfilwatch_windows_judged_total ") }
        .flatMap { Double($0.split(separator: " ")[1]) } ?? 0
    }
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline && judged() == 0 { usleep(100_000) }
    let said = try tail.stop()
    #expect(judged() > 0, "\(said)")
  }

  @Test("a webhook down when tail finds the attack gets every finding, in order, once it is back")
  func webhookBackDuringTail() throws {
    let directory = try TemporaryDirectory()
    let port = try unusedLocalPort()
    let sink = directory.path("findings.jsonl")
    let config = try directory.write("exfilwatch.yaml", Array("""
      sinks:
        - webhook: http://127.0.0.1:\(port)/hooks
          timeout: 2s
        - jsonl: \(sink)
      """.utf8))
    let tail = try TailProcess([
      "tail", "--state", directory.path("tail.state"), "--config", config, "--poll-interval", "100ms",
      "\(ScanStateTests.week)/*.zst",
    ])
    var deadline = Date().addingTimeInterval(60)
    while Date() < deadline && ((try? ReplayCommandTests.findings(sink).count) ?? 0) < 4 { usleep(100_000) }
    let expected = try WebhookDeliveryTests.jsonlKeys(sink)
    #expect(expected.count == 4)
    let receiver = try WebhookReceiver(port: port, logIn: directory)
    deadline = Date().addingTimeInterval(90)
    while try Date() < deadline && receiver.requests().count < expected.count { usleep(100_000) }
    let said = try tail.stop()
    #expect(try receiver.requests().compactMap { $0.header("Idempotency-Key") } == expected, "\(said)")
    #expect(said.contains("delivering again after"), "\(said)")
  }

  @Test("/metrics of a running tail, scraped and parsed as Prometheus text, counts what was appended")
  func servesMetrics() async throws {
    let directory = try TemporaryDirectory()
    let log = directory.path("ApiEvent.jsonl")
    let prom = directory.path("tail.prom")
    let day = try runToolChecked("zstd", ["-dc", "\(ScanStateTests.week)/ApiEvent-2025-06-01.jsonl.zst"])
    let lines = day.split(separator: 0x0A).prefix(600)
    let appended: [UInt8] = lines.flatMap { Array($0) + [0x0A] } + Array("{not json\n".utf8)
    let tail = try TailProcess([
      "tail", "--state", directory.path("tail.state"), "--sink", "jsonl:\(directory.path("findings.jsonl"))",
      "--poll-interval", "100ms", "--idle-close", "0s", "--checkpoint-interval", "200ms",
      "--metrics-listen", "127.0.0.1:0", "--metrics-file", prom, log,
    ])
    let serving = try #require(tail.line(containing: "serving metrics on http://"))
    let url = try #require(serving.split(separator: " ").last.map(String.init))
    #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/metrics"), "\(serving)")

    try append(log, appended)
    try tail.waitUntilRead([log])
    usleep(300_000)  // a checkpoint, so the file is written too
    let (body, response) = try await URLSession.shared.data(from: URL(string: url)!)
    let status = (response as? HTTPURLResponse)?.statusCode
    let said = try tail.stop()
    #expect(status == 200, "\(said)")
    for text in [String(decoding: body, as: UTF8.self), try String(contentsOfFile: prom, encoding: .utf8)] {
      let metrics = try PrometheusText(text)
      #expect(metrics.value("exfilwatch_events_total", ["format": "sf-rtem"]) == 600, "\(text)")
      #expect(metrics.value("exfilwatch_records_rejected_total", ["format": "sf-rtem", "reason": "bad-json"]) == 1)
      #expect(metrics.value("exfilwatch_read_bytes_total") == Double(appended.count))
      #expect(metrics.value("exfilwatch_decoded_bytes_total") == Double(appended.count))
      #expect((metrics.value("exfilwatch_tracked_keys") ?? 0) > 0)
      #expect(metrics.value("exfilwatch_findings_total", ["severity": "high"]) == 0)
      #expect(metrics.value("exfilwatch_sink_delivery_failures_total", ["sink": "jsonl:\(directory.path("findings.jsonl"))"]) == 0)
      #expect(metrics.samples.contains {
        $0.name == "exfilwatch_build_info" && $0.labels["command"] == "tail" && $0.labels["version"]?.isEmpty == false
          && $0.value == 1
      })
      // The newest event of the lines appended, and the lag from it to now: more than a year.
      #expect(metrics.value("exfilwatch_last_event_timestamp_seconds").map { $0 >= 1_748_736_000 } == true)
      #expect(metrics.value("exfilwatch_event_lag_seconds").map { $0 > 365 * 86_400 } == true)
    }
  }
}

/// zstd frames of up to 2,000 lines each, made by the `zstd` tool.
private func frames(of text: [UInt8]) throws -> [[UInt8]] {
  let lines = text.split(separator: 0x0A)
  return try stride(from: 0, to: lines.count, by: 2_000).map { start in
    let piece: [UInt8] = lines[start..<min(start + 2_000, lines.count)].flatMap { Array($0) + [UInt8(0x0A)] }
    return try runToolChecked("zstd", ["-q", "-c"], input: piece)
  }
}

private func append(_ path: String, _ bytes: [UInt8]) throws {
  if !FileManager.default.fileExists(atPath: path) {
    FileManager.default.createFile(atPath: path, contents: nil)
  }
  let handle = try #require(FileHandle(forWritingAtPath: path))
  try handle.seekToEnd()
  try handle.write(contentsOf: Data(bytes))
  try handle.close()
}

/// A running `exfilwatch tail`, watched through /proc: a file is read once the process holds it
/// open at its end.
private final class TailProcess {
  let process = Process()
  let errors = Pipe()
  /// Standard error read so far (by `line(containing:)`).
  private var said = Data()

  init(_ arguments: [String]) throws {
    process.executableURL = URL(fileURLWithPath: exfilwatchExecutable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    // Only the child writes: with the parent's write end closed, reading ends when it exits.
    try errors.fileHandleForWriting.close()
  }

  /// Waits (up to 30 s) until every path is open in the process with its offset at the
  /// file's end, then one more poll so what was read is also judged.
  func waitUntilRead(_ paths: [String]) throws {
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
      if try paths.allSatisfy(isRead) {
        usleep(400_000)
        return
      }
      usleep(50_000)
    }
    Issue.record("tail did not read \(paths) within 30 s")
  }

  private func isRead(_ path: String) throws -> Bool {
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
    let fds = "/proc/\(process.processIdentifier)/fd"
    for fd in (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? [] {
      guard (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fds)/\(fd)")) == path,
        let info = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/fdinfo/\(fd)", encoding: .utf8),
        let line = info.split(separator: "\n").first(where: { $0.hasPrefix("pos:") }),
        let position = Int(line.dropFirst(4).trimmingCharacters(in: .whitespaces))
      else { continue }
      if position == size { return true }
    }
    return false
  }

  /// The first line on standard error that contains `text`, read as it comes (nil when the
  /// process ends first).
  func line(containing text: String) -> String? {
    while true {
      let lines = String(decoding: said, as: UTF8.self).split(separator: "\n")
      if let line = lines.first(where: { $0.contains(text) }) { return String(line) }
      let more = errors.fileHandleForReading.availableData
      if more.isEmpty { return nil }
      said += more
    }
  }

  /// SIGTERM: a graceful stop must commit and exit 0. Returns what it said on stderr.
  @discardableResult
  func stop() throws -> String {
    kill(process.processIdentifier, SIGTERM)
    said += errors.fileHandleForReading.readDataToEndOfFile()
    let text = String(decoding: said, as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    return text
  }
}
