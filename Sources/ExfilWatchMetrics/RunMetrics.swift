import Prometheus

/// A run's metrics in the Prometheus text format, under the `exfilwatch_` prefix, in base
/// units, counters ending in `_total`, and no label that grows with the data (no actor, IP,
/// file or finding id: those belong in findings and logs).
///
/// The run publishes its totals (`publish(_:now:)`) from its own thread whenever it likes; the
/// registry is safe to read from another (`MetricsServer`) meanwhile. Counters count from the
/// start of the process, as Prometheus expects of a counter (a restart resets them).
public final class RunMetrics {
  /// The collectors, for serving or writing.
  public let registry = PrometheusCollectorRegistry()
  private var published = RunTotals()
  private var counters: [String: Counter] = [:]
  private var gauges: [String: Gauge] = [:]

  /// - Parameters:
  ///   - command: `tail`, `scan` or `replay`, as the `command` label of `exfilwatch_build_info`.
  ///   - severities: the finding severities, whose counters start at zero (a counter that
  ///     appears only when its first finding comes would hide that first rise from `rate()`).
  ///   - sinks: the sinks' names, likewise.
  public init(version: String, command: String, severities: [String], sinks: [String]) {
    gauge("build", "info", "1, labelled with the version and the command running.",
      labels: [("version", version), ("command", command)]).set(to: 1)
    for severity in severities { findingsCounter(severity) }
    for sink in sinks {
      deliveryFailuresCounter(sink)
      spooledGauge(sink).set(to: 0)
    }
    trackedKeysGauge.set(to: 0)
  }

  /// Brings the metrics up to `totals`; `now` (seconds since 1970) dates the event lag.
  public func publish(_ totals: RunTotals, now: Double) {
    add(totals.readBytes - published.readBytes, to: counter("read", "bytes_total",
      "Bytes read from the inputs as stored (compressed or not)."))
    add(totals.decodedBytes - published.decodedBytes, to: counter("decoded", "bytes_total",
      "Bytes of log text after decompression."))
    for (format, count) in totals.events {
      add(count - published.events[format, default: 0], to: counter("events", "total",
        "Events parsed, by log format.", labels: [("format", format)]))
    }
    for (rejection, count) in totals.rejectedRecords {
      add(count - published.rejectedRecords[rejection, default: 0], to: counter("records_rejected", "total",
        "Records rejected (malformed, no time...), by log format and reason.",
        labels: [("format", rejection.format), ("reason", rejection.reason)]))
    }
    add(totals.lateEvents - published.lateEvents, to: counter("late_events", "total",
      "Events that arrived after the watermark had passed their time."))
    add(totals.clockOutliers - published.clockOutliers, to: counter("clock_outlier_events", "total",
      "Events stamped far ahead of the others and not confirmed by the events after them (a wrong clock), not judged."))
    for (severity, count) in totals.findings {
      add(count - published.findings[severity, default: 0], to: findingsCounter(severity))
    }
    for (sink, count) in totals.deliveryFailures {
      add(count - published.deliveryFailures[sink, default: 0], to: deliveryFailuresCounter(sink))
    }
    for (sink, count) in totals.spooledFindings { spooledGauge(sink).set(to: Double(count)) }
    add(totals.windowsJudged - published.windowsJudged, to: counter("windows_judged", "total",
      "Windows (key, horizon, hop) judged against their baseline."))
    add(totals.windowsFlagged - published.windowsFlagged, to: counter("windows_flagged", "total",
      "Windows found anomalous."))
    trackedKeysGauge.set(to: Double(totals.trackedKeys))
    if let newest = totals.newestEventTime {
      let seconds = Double(newest) / 1000
      gauge("last_event", "timestamp_seconds", "Time of the newest event read (event time).").set(to: seconds)
      gauge("event_lag", "seconds", "Wall clock minus the newest event's time: how far behind the logs are.")
        .set(to: max(0, now - seconds))
    }
    published = totals
  }

  /// The end of a `scan` or `replay`: how long it took, when it ended and whether it did
  /// what it was asked (findings are a success; an unreadable input or undelivered finding
  /// is not), for an alert on cron runs that fail or stop running.
  public func finishRun(durationSeconds: Double, succeeded: Bool, now: Double) {
    gauge("run_duration", "seconds", "How long the last run took.").set(to: durationSeconds)
    gauge("run_finished", "timestamp_seconds", "When the last run ended.").set(to: now)
    gauge("run", "success", "1 when the last run read every input and delivered every finding, else 0.")
      .set(to: succeeded ? 1 : 0)
  }

  /// The metrics in the Prometheus text exposition format (version 0.0.4).
  public func exposition() -> [UInt8] { registry.emitToBuffer() }

  private var trackedKeysGauge: Gauge {
    gauge("tracked", "keys", "Keys (actor, client app, source IP...) the detector keeps a baseline for.")
  }

  @discardableResult
  private func findingsCounter(_ severity: String) -> Counter {
    counter("findings", "total", "Finding messages made (an incident's first and each update), by severity.",
      labels: [("severity", severity)])
  }

  @discardableResult
  private func deliveryFailuresCounter(_ sink: String) -> Counter {
    counter("sink_delivery_failures", "total",
      "Failed attempts to hand findings to a sink (write failed, send retried or refused), by sink.",
      labels: [("sink", sink)])
  }

  private func spooledGauge(_ sink: String) -> Gauge {
    gauge("sink_spooled", "findings", "Findings waiting for a remote sink, kept in the state's spool.",
      labels: [("sink", sink)])
  }

  private func add(_ amount: some BinaryInteger, to counter: Counter) {
    // Totals only grow; a smaller one (never expected) must not trip the counter's check.
    if amount > 0 { counter.increment(by: Int64(amount)) }
  }

  private func counter(_ name: String, _ unit: String, _ help: String, labels: [(String, String)] = []) -> Counter {
    let key = Self.key(name, unit, labels)
    if let known = counters[key] { return known }
    let made = registry.makeCounter(descriptor: Self.descriptor(name, unit, help), labels: labels)
    counters[key] = made
    return made
  }

  private func gauge(_ name: String, _ unit: String, _ help: String, labels: [(String, String)] = []) -> Gauge {
    let key = Self.key(name, unit, labels)
    if let known = gauges[key] { return known }
    let made = registry.makeGauge(descriptor: Self.descriptor(name, unit, help), labels: labels)
    gauges[key] = made
    return made
  }

  private static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(namespace: "exfilwatch", metricName: name, unitName: unit, helpText: help)
  }

  private static func key(_ name: String, _ unit: String, _ labels: [(String, String)]) -> String {
    ([name, unit] + labels.flatMap { [$0.0, $0.1] }).joined(separator: "\u{0}")
  }
}
