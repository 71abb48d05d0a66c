import ArgumentParser
import ExfilWatchDetector
import ExfilWatchMetrics
import Glibc

/// `--metrics-file`, shared by `replay`, `scan` and `tail`.
struct MetricsFileOption: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Write metrics in the Prometheus text format to this file, replaced atomically (for node_exporter's textfile collector: name it *.prom in its directory): at the end of replay and scan, at each checkpoint of tail.",
    valueName: "path"))
  var metricsFile: String?
}

/// A run's metrics and where they go: a file, a `/metrics` endpoint, or both.
struct MetricsReporting {
  let metrics: RunMetrics
  let file: MetricsFile?
  let server: MetricsServer?
  /// The detector's counts when the run started (restored from the state): metrics count
  /// from the start of the process.
  let restored: DetectorStatistics

  /// Metrics for `run`, or nil when neither a file nor an address was asked for.
  ///
  /// - Throws: `ExitCode` 2 when the address cannot be listened on (said on standard error).
  init?(command: String, file: String?, listen: ListenAddress? = nil, run: DetectionRun) throws {
    guard file != nil || listen != nil else { return nil }
    metrics = RunMetrics(
      version: ExfilWatch.configuration.version, command: command,
      severities: Finding.Severity.allCases.map(\.metricLabel), sinks: run.delivery.sinkNames)
    self.file = file.map(MetricsFile.init(path:))
    restored = run.detector.statistics
    if let listen {
      do {
        server = try MetricsServer(host: listen.host, port: listen.port, registry: metrics.registry)
      } catch {
        Log.error("\(error)")
        throw ExitStatus.usage.exitCode
      }
    } else {
      server = nil
    }
  }

  /// Brings the metrics up to what `run` has done.
  func publish(_ run: DetectionRun) {
    metrics.publish(run.metricsTotals(since: restored), now: Self.wallClock())
  }

  /// Writes the file, if one was asked for; a failure is said, not fatal (the run's own work
  /// matters more than its metrics).
  func writeFile() {
    guard let file else { return }
    do { try file.write(metrics.exposition()) } catch { Log.error("\(error)") }
  }

  /// The end of a `replay` or `scan`: its last totals, duration and outcome, written out.
  func finishRun(_ run: DetectionRun, durationSeconds: Double, succeeded: Bool) {
    publish(run)
    metrics.finishRun(durationSeconds: durationSeconds, succeeded: succeeded, now: Self.wallClock())
    writeFile()
  }

  func close() { server?.close() }

  private static func wallClock() -> Double { Double(WallClock.milliseconds()) / 1000 }
}

/// `--metrics-listen HOST:PORT` (`[::1]:9464` for IPv6).
struct ListenAddress: ExpressibleByArgument {
  var host: String
  var port: Int

  init?(argument: String) {
    guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
      (0...65_535).contains(port)
    else { return nil }
    var host = String(argument[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else { return nil }
    self.host = host
    self.port = port
  }
}

extension Finding.Severity {
  /// The severity as a metric label: `low`, `medium`, `high`, `critical`.
  var metricLabel: String { name.lowercased() }
}

extension DetectionRun {
  /// What the run has done, for its metrics: the inputs' reports, the detector's counts since
  /// `restored`, the findings made and the sinks' troubles.
  func metricsTotals(since restored: DetectorStatistics) -> RunTotals {
    var totals = RunTotals()
    for report in reports {
      totals.readBytes += report.compressedBytes
      totals.decodedBytes += report.decodedBytes
      // An input that gave nothing yet (no new lines) has no format to count under.
      guard report.summary.records > 0 || report.summary.format != nil else { continue }
      let format = report.summary.format?.rawValue ?? "unknown"
      totals.events[format, default: 0] += report.summary.events
      for (reason, count) in report.summary.rejects {
        totals.rejectedRecords[RunTotals.Rejection(format: format, reason: reason.rawValue), default: 0] += count
      }
    }
    let statistics = detector.statistics.since(restored)
    totals.lateEvents = statistics.lateEvents
    totals.clockOutliers = statistics.clockOutliers
    totals.windowsJudged = statistics.windowsJudged
    totals.windowsFlagged = statistics.windowsFlagged
    totals.trackedKeys = detector.statistics.trackedKeys
    totals.newestEventTime = detector.statistics.newestEventTime
    for (severity, count) in findingsBySeverity { totals.findings[severity.metricLabel] = count }
    totals.deliveryFailures = delivery.failedAttempts
    totals.spooledFindings = delivery.waitingCount
    return totals
  }
}
