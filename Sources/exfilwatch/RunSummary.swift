import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline

/// The lines `replay` and `scan` print on standard error when they finish: what was read,
/// what was judged, what was found, and how fast.
struct RunSummary {
  let command: String
  let reports: [InputReport]
  let skipped: Int
  let outsideTimeRange: Int
  let statistics: DetectorStatistics
  let configuration: DetectorConfiguration
  let findingsWritten: Int
  let elapsedSeconds: Double
  /// With a state file: what it holds since it began (events judged, runs).
  var stateTotals: (path: String, statistics: DetectorStatistics, runs: Int64)?

  var text: String {
    var rejects: [RejectReason: Int] = [:]
    var compressed: Int64 = 0
    var decoded: Int64 = 0
    var shortened = 0
    for report in reports {
      rejects.merge(report.summary.rejects, uniquingKeysWith: +)
      shortened += report.summary.shortenedValues
      compressed += report.compressedBytes
      decoded += report.decodedBytes
    }
    let rejected = rejects.values.reduce(0, +)
    var lines: [String] = []
    lines.append(
      "\(command): \(reports.count) input\(reports.count == 1 ? "" : "s")"
        + (skipped > 0 ? " (\(skipped) skipped)" : "") + ", \(DisplayText.megabytes(compressed)) read, "
        + "\(DisplayText.megabytes(decoded)) decoded, \(statistics.events) events (\(statistics.reads) reads, "
        + "\(DisplayText.grouped(statistics.records)) records)"
        + (outsideTimeRange > 0 ? "; \(outsideTimeRange) events outside --from/--until not judged" : ""))
    var span = "event time "
    if let first = statistics.firstEventTime, let newest = statistics.newestEventTime {
      span += "\(DisplayText.utcSeconds(first)) to \(DisplayText.utcSeconds(newest)); "
      if statistics.warmUpComplete {
        span += "warm-up of \(DurationArgument(milliseconds: configuration.warmUp)) ended \(DisplayText.utcSeconds(statistics.warmUpEnd!))"
      } else {
        span += "shorter than the warm-up of \(DurationArgument(milliseconds: configuration.warmUp)): "
          + "keys were learnt, nothing was flagged"
      }
    } else {
      span += "none (no events)"
    }
    lines.append(span)
    var rejectText = "\(rejected) rejected"
    if rejected > 0 {
      rejectText += " (" + rejects.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + ")"
    }
    lines.append(
      "\(rejectText), \(statistics.lateEvents) late (\(DisplayText.grouped(statistics.lateRecords)) records, "
        + "\(statistics.tooLateEvents) too late for any window)"
        + (statistics.clockOutliers > 0 ? ", \(statistics.clockOutliers) with a wrong clock" : "")
        + (shortened > 0 ? ", \(shortened) values over --max-key-length shortened" : "")
        + ", \(statistics.trackedKeys) keys tracked"
        + (statistics.evictedKeys > 0 ? ", \(statistics.evictedKeys) evicted at the cap of \(configuration.maxTrackedKeys)" : ""))
    let rate = elapsedSeconds > 0 ? Double(statistics.events) / elapsedSeconds : 0
    lines.append(
      "\(statistics.windowsJudged) windows judged, \(statistics.windowsFlagged) flagged, "
        + "\(findingsWritten) finding\(findingsWritten == 1 ? "" : "s") written; "
        + "\(DisplayText.decimals(elapsedSeconds, places: 2)) s, \(Int(rate)) events/s")
    if let stateTotals {
      lines.append(
        "state \(stateTotals.path): \(stateTotals.statistics.events) events (\(DisplayText.grouped(stateTotals.statistics.records)) "
          + "records) and \(stateTotals.statistics.findings) findings in \(stateTotals.runs) run\(stateTotals.runs == 1 ? "" : "s") since it began")
    }
    return lines.map { "exfilwatch: \($0)\n" }.joined()
  }
}

extension DetectorStatistics {
  /// This run's counts, for a detector restored from a state file with `earlier` counts (the
  /// restored statistics run on from there); times and key counts stay as they are.
  func since(_ earlier: DetectorStatistics) -> DetectorStatistics {
    var run = self
    run.events -= earlier.events
    run.reads -= earlier.reads
    run.records -= earlier.records
    run.lateEvents -= earlier.lateEvents
    run.lateRecords -= earlier.lateRecords
    run.tooLateEvents -= earlier.tooLateEvents
    run.clockOutliers -= earlier.clockOutliers
    run.evictedKeys -= earlier.evictedKeys
    run.windowsJudged -= earlier.windowsJudged
    run.windowsFlagged -= earlier.windowsFlagged
    run.findings -= earlier.findings
    return run
  }
}
