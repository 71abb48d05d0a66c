import ExfilWatchMetrics
import ExfilWatchTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The metrics as Prometheus reads them: from the exposition text, a file written for
/// node_exporter, and a real `/metrics` endpoint on 127.0.0.1.
@Suite struct RunMetricsTests {
  private static func metrics() -> RunMetrics {
    RunMetrics(version: "9.9.9", command: "tail", severities: ["low", "high"], sinks: ["stdout", "webhook:x#1"])
  }

  private static func totals(events: Int, rejected: Int, late: Int) -> RunTotals {
    var totals = RunTotals()
    totals.readBytes = Int64(events * 100)
    totals.decodedBytes = Int64(events * 1_000)
    totals.events = ["sf-rtem": events, "okta": 3]
    totals.rejectedRecords = [RunTotals.Rejection(format: "sf-rtem", reason: "bad-json"): rejected]
    totals.lateEvents = late
    totals.findings = ["high": 2]
    totals.deliveryFailures = ["webhook:x#1": 4]
    totals.spooledFindings = ["webhook:x#1": 1]
    totals.trackedKeys = 42
    totals.windowsJudged = 10 * events
    totals.windowsFlagged = 1
    totals.newestEventTime = 1_750_000_000_000
    return totals
  }

  @Test("publishing totals twice gives counters of the later totals, gauges set, label values escaped")
  func publishes() throws {
    let metrics = Self.metrics()
    let start = try PrometheusText(String(decoding: metrics.exposition(), as: UTF8.self))
    #expect(start.value("exfilwatch_findings_total", ["severity": "low"]) == 0)
    #expect(start.value("exfilwatch_sink_delivery_failures_total", ["sink": "webhook:x#1"]) == 0)
    #expect(start.value("exfilwatch_build_info", ["version": "9.9.9", "command": "tail"]) == 1)

    metrics.publish(Self.totals(events: 10, rejected: 1, late: 0), now: 1_750_000_060)
    metrics.publish(Self.totals(events: 25, rejected: 3, late: 2), now: 1_750_000_090)
    let text = try PrometheusText(String(decoding: metrics.exposition(), as: UTF8.self))
    #expect(text.value("exfilwatch_events_total", ["format": "sf-rtem"]) == 25)
    #expect(text.value("exfilwatch_events_total", ["format": "okta"]) == 3)
    #expect(text.value("exfilwatch_records_rejected_total", ["format": "sf-rtem", "reason": "bad-json"]) == 3)
    #expect(text.value("exfilwatch_read_bytes_total") == 2_500)
    #expect(text.value("exfilwatch_decoded_bytes_total") == 25_000)
    #expect(text.value("exfilwatch_late_events_total") == 2)
    #expect(text.value("exfilwatch_findings_total", ["severity": "high"]) == 2)
    #expect(text.value("exfilwatch_findings_total", ["severity": "low"]) == 0)
    #expect(text.value("exfilwatch_sink_delivery_failures_total", ["sink": "webhook:x#1"]) == 4)
    #expect(text.value("exfilwatch_sink_spooled_findings", ["sink": "webhook:x#1"]) == 1)
    #expect(text.value("exfilwatch_tracked_keys") == 42)
    #expect(text.value("exfilwatch_windows_judged_total") == 250)
    #expect(text.value("exfilwatch_last_event_timestamp_seconds") == 1_750_000_000)
    #expect(text.value("exfilwatch_event_lag_seconds") == 90)
    #expect(text.types["exfilwatch_events_total"] == "counter")
    #expect(text.types["exfilwatch_tracked_keys"] == "gauge")
    #expect(text.help["exfilwatch_event_lag_seconds"]?.isEmpty == false)
  }

  @Test("the end of a run: duration, end time and outcome")
  func finishesRuns() throws {
    let metrics = Self.metrics()
    metrics.finishRun(durationSeconds: 12.5, succeeded: false, now: 1_800_000_000)
    let text = try PrometheusText(String(decoding: metrics.exposition(), as: UTF8.self))
    #expect(text.value("exfilwatch_run_duration_seconds") == 12.5)
    #expect(text.value("exfilwatch_run_finished_timestamp_seconds") == 1_800_000_000)
    #expect(text.value("exfilwatch_run_success") == 0)
  }

  @Test("the file is replaced whole and leaves no temporary file; an unwritable one names itself")
  func writesFiles() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("exfilwatch.prom")
    let metrics = Self.metrics()
    try MetricsFile(path: path).write(metrics.exposition())
    metrics.publish(Self.totals(events: 7, rejected: 0, late: 0), now: 1_750_000_000)
    try MetricsFile(path: path).write(metrics.exposition())
    let text = try PrometheusText(String(contentsOfFile: path, encoding: .utf8))
    #expect(text.value("exfilwatch_events_total", ["format": "sf-rtem"]) == 7)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["exfilwatch.prom"])

    let missing = directory.path("no/such/dir/exfilwatch.prom")
    #expect {
      try MetricsFile(path: missing).write([])
    } throws: { error in
      "\(error)".contains(missing)
    }
  }

  @Test("/metrics is served over HTTP with the exposition's content type; other paths 404, POST 405")
  func serves() async throws {
    let metrics = Self.metrics()
    metrics.publish(Self.totals(events: 5, rejected: 0, late: 0), now: 1_750_000_000)
    let server = try MetricsServer(host: "127.0.0.1", port: 0, registry: metrics.registry)
    defer { server.close() }
    #expect(server.address.hasPrefix("127.0.0.1:"))
    #expect(!server.address.hasSuffix(":0"))

    let (body, response) = try await get("http://\(server.address)/metrics")
    #expect(response.statusCode == 200)
    #expect(response.value(forHTTPHeaderField: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
    let text = try PrometheusText(String(decoding: body, as: UTF8.self))
    #expect(text.value("exfilwatch_events_total", ["format": "sf-rtem"]) == 5)

    metrics.publish(Self.totals(events: 9, rejected: 0, late: 0), now: 1_750_000_000)
    let (later, _) = try await get("http://\(server.address)/metrics")
    #expect(try PrometheusText(String(decoding: later, as: UTF8.self)).value("exfilwatch_events_total", ["format": "sf-rtem"]) == 9)

    #expect(try await get("http://\(server.address)/").1.statusCode == 404)
    var post = URLRequest(url: URL(string: "http://\(server.address)/metrics")!)
    post.httpMethod = "POST"
    #expect(try await request(post).1.statusCode == 405)
  }

  @Test("an address in use is an error naming it")
  func refusesBusyAddresses() throws {
    let first = try MetricsServer(host: "127.0.0.1", port: 0, registry: Self.metrics().registry)
    defer { first.close() }
    let port = Int(first.address.split(separator: ":").last!)!
    #expect {
      _ = try MetricsServer(host: "127.0.0.1", port: port, registry: Self.metrics().registry)
    } throws: { error in
      "\(error)".contains("127.0.0.1:\(port)")
    }
  }
}

private func get(_ url: String) async throws -> (Data, HTTPURLResponse) {
  try await request(URLRequest(url: URL(string: url)!))
}

private func request(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
  let (data, response) = try await URLSession.shared.data(for: request)
  return (data, try #require(response as? HTTPURLResponse))
}
