import ExfilWatchEvent
import Foundation

/// The report's pictures as inline SVG: drawn here, so the page needs no script and fetches
/// nothing.
enum SVGCharts {
  /// A key's recent window sums against its baseline band: one bar per hop on a log scale, the
  /// band from the key's typical to its busiest daily peak, flagged windows in red.
  ///
  /// - Parameter hop: milliseconds between windows, to date the bars; nil labels them by hop.
  static func windowChart(
    series: [Int64], lastWindowEnd: Int64, hop: Int64?, typical: Double, busiest: Double, flagged: Set<Int64>
  ) -> String {
    let width = 960.0, height = 240.0, left = 72.0, right = 12.0, top = 12.0, bottom = 36.0
    let plotWidth = width - left - right, plotHeight = height - top - bottom
    let largest = max(Double(series.max() ?? 0), busiest, 1)
    let decades = max(1, Int(log10(largest + 1).rounded(.up)))
    func y(_ value: Double) -> Double {
      top + plotHeight * (1 - log10(max(value, 0) + 1) / Double(decades))
    }
    var svg = """
      <svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="records per window against the baseline band">
      """
    for decade in 0...decades {
      let value = pow(10, Double(decade)) - (decade == 0 ? 1 : 0)
      let lineY = format(y(value))
      svg += "<line x1=\"\(format(left))\" x2=\"\(format(width - right))\" y1=\"\(lineY)\" y2=\"\(lineY)\" class=\"grid\"/>"
      svg += "<text x=\"\(format(left - 6))\" y=\"\(lineY)\" class=\"tick\" text-anchor=\"end\" dominant-baseline=\"middle\">\(DisplayText.grouped(Int64(value)))</text>"
    }
    let bandTop = y(busiest), bandBottom = y(typical)
    svg += "<rect x=\"\(format(left))\" y=\"\(format(bandTop))\" width=\"\(format(plotWidth))\" height=\"\(format(max(bandBottom - bandTop, 1)))\" class=\"band\"><title>baseline: typical \(Int(typical.rounded())) to busiest \(Int(busiest.rounded())) records</title></rect>"
    svg += "<line x1=\"\(format(left))\" x2=\"\(format(width - right))\" y1=\"\(format(bandBottom))\" y2=\"\(format(bandBottom))\" class=\"typical\"/>"
    let slot = plotWidth / Double(max(series.count, 1))
    for (index, value) in series.enumerated() {
      let hopsBack = Int64(series.count - 1 - index)
      let end = hop.map { lastWindowEnd - hopsBack * $0 }
      let isFlagged = end.map(flagged.contains) ?? (hopsBack == 0)
      let barTop = y(Double(value))
      let label = end.map { "window ending \(ReportText.time($0))" } ?? "\(hopsBack) hops before the flagged window"
      svg += "<rect x=\"\(format(left + Double(index) * slot + slot * 0.15))\" y=\"\(format(barTop))\" width=\"\(format(slot * 0.7))\" height=\"\(format(max(top + plotHeight - barTop, 0.5)))\" class=\"\(isFlagged ? "bar flagged" : "bar")\"><title>\(ReportText.escape(label)): \(DisplayText.grouped(value)) records</title></rect>"
    }
    let first = hop.map { ReportText.time(lastWindowEnd - Int64(series.count - 1) * $0) } ?? "−\(series.count - 1) hops"
    let last = ReportText.time(lastWindowEnd)
    svg += "<text x=\"\(format(left))\" y=\"\(format(height - 12))\" class=\"tick\">\(ReportText.escape(first))</text>"
    svg += "<text x=\"\(format(width - right))\" y=\"\(format(height - 12))\" class=\"tick\" text-anchor=\"end\">\(ReportText.escape(last))</text>"
    return svg + "</svg>"
  }

  /// The incidents on one time axis: a row per incident, its key on the left, a bar from its
  /// first to its last flagged read, coloured by severity.
  static func timeline(_ incidents: [ReportedIncident]) -> String {
    let start = incidents.map(\.latest.firstSeenTime).min() ?? 0
    let end = max(incidents.map(\.latest.lastSeenTime).max() ?? 0, start + 1)
    let width = 960.0, labels = 300.0, left = labels + 8, right = 16.0, rowHeight = 28.0, axis = 28.0
    let height = axis + rowHeight * Double(incidents.count) + 8
    let scale = (width - left - right) / Double(end - start)
    var svg = """
      <svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="timeline of incidents">
      """
    let hour: Int64 = 3_600_000
    let step = [1, 3, 6, 12, 24, 48, 168, 720].map { Int64($0) * hour }.first { (end - start) / $0 <= 4 } ?? 720 * hour
    var tick = (start / step + 1) * step
    while tick < end {
      let x = format(left + Double(tick - start) * scale)
      let text = step >= 24 * hour ? ReportText.day(tick) : String(ReportText.time(tick).dropLast(4)) + "Z"
      svg += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(format(axis - 6))\" y2=\"\(format(height))\" class=\"grid\"/>"
      svg += "<text x=\"\(x)\" y=\"\(format(axis - 10))\" class=\"tick\" text-anchor=\"middle\">\(ReportText.escape(text))</text>"
      tick += step
    }
    for (row, incident) in incidents.enumerated() {
      let finding = incident.latest
      let x = left + Double(finding.firstSeenTime - start) * scale
      let barWidth = max(Double(finding.lastSeenTime - finding.firstSeenTime) * scale, 4)
      let rowY = axis + Double(row) * rowHeight
      var label = "\(finding.evidence.dimension) \(finding.evidence.key)"
      if label.count > 42 { label = String(label.prefix(41)) + "…" }
      svg += "<a href=\"#\(ReportText.escape(incident.id))\">"
      svg += "<text x=\"\(format(labels))\" y=\"\(format(rowY + rowHeight / 2))\" class=\"label\" text-anchor=\"end\" dominant-baseline=\"middle\">\(ReportText.escape(label))</text>"
      svg += "<rect x=\"\(format(x))\" y=\"\(format(rowY + 4))\" width=\"\(format(barWidth))\" height=\"\(format(rowHeight - 10))\" class=\"incident \(ReportText.severityClass(finding.severity))\"><title>\(ReportText.escape("\(incident.id): \(finding.title), \(ReportText.time(finding.firstSeenTime)) to \(ReportText.time(finding.lastSeenTime))"))</title></rect></a>"
    }
    return svg + "</svg>"
  }

  private static func format(_ value: Double) -> String {
    String(format: "%.1f", value)
  }
}
