import ExfilWatchEvent

/// A findings file as one self-contained HTML page: a timeline of the incidents, then per
/// incident its latest revision, a chart of the key's windows against its baseline band, and
/// the evidence (who, what, from where, sample events).
///
/// Everything is inline (style and SVG; no script, no font, no image fetched), and a content
/// security policy forbids fetching anything, so the page can be mailed, attached to a ticket
/// or opened offline, and a value from the logs can never make it load a thing.
public struct HTMLReport {
  public var incidents: [ReportedIncident]
  /// What the findings came from, for the heading (a file name).
  public var source: String
  /// Milliseconds between windows per horizon name (`5m` → 60,000), to date the chart's bars
  /// of findings that do not say their hop.
  public var hops: [String: Int64]

  public init(incidents: [ReportedIncident], source: String, hops: [String: Int64]) {
    self.incidents = incidents
    self.source = source
    self.hops = hops
  }

  public func render() -> String {
    var html = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>ExfilWatch report: \(ReportText.escape(source))</title>
      <style>\(Self.style)</style>
      </head>
      <body>
      <h1>ExfilWatch report</h1>
      <p class="meta">\(ReportText.escape(summary))</p>

      """
    if incidents.isEmpty {
      html += "<p>No findings.</p>\n"
    } else {
      html += "<h2>Timeline</h2>\n<figure class=\"timeline\">\(SVGCharts.timeline(incidents))</figure>\n"
      for incident in incidents { html += section(incident) }
    }
    return html + "</body>\n</html>\n"
  }

  private var summary: String {
    let revisions = incidents.map(\.revisions.count).reduce(0, +)
    var text = "\(incidents.count) incident\(incidents.count == 1 ? "" : "s") (\(revisions) finding revisions) from \(source)"
    if let first = incidents.map(\.latest.firstSeenTime).min(), let last = incidents.map(\.latest.lastSeenTime).max() {
      text += ", reads from \(ReportText.time(first)) to \(ReportText.time(last))"
    }
    return text + ". Times are UTC event times."
  }

  private func section(_ incident: ReportedIncident) -> String {
    let finding = incident.latest
    let evidence = finding.evidence
    let severity = ReportText.severityClass(finding.severity)
    var html = """
      <section id="\(ReportText.escape(incident.id))">
      <h2><span class="badge \(severity)">\(ReportText.escape(finding.severity))</span> \(ReportText.escape(finding.title))</h2>
      <p class="meta">\(ReportText.escape(incident.id)) · \(ReportText.escape(finding.analytic)) · revision \(finding.revision) (\(ReportText.escape(finding.activity)))\(incident.isClosed ? ", closed" : ", open") · reads \(ReportText.escape(ReportText.time(finding.firstSeenTime))) to \(ReportText.escape(ReportText.time(finding.lastSeenTime)))</p>
      <p>\(ReportText.escape(finding.description))</p>
      \(charts(incident))
      <h3>Evidence of the latest revision</h3>
      <table class="numbers"><tr><th>window</th><th>records</th><th>reads</th><th>score</th><th>multiple</th></tr>
      <tr><td>\(ReportText.escape(ReportText.time(evidence.windowStart))) to \(ReportText.escape(ReportText.time(evidence.windowEnd)))</td><td>\(DisplayText.grouped(evidence.records))</td><td>\(DisplayText.grouped(evidence.reads))</td><td>\(DisplayText.oneDecimal(evidence.score))</td><td>\(DisplayText.oneDecimal(evidence.multiple))x</td></tr></table>
      <div class="evidence">
      """
    for (name, tallies) in [("Actors", evidence.actors), ("Client apps", evidence.clients), ("Source IPs", evidence.sourceIPs), ("Objects", evidence.objects)] {
      html += Self.tallyTable(name, tallies)
    }
    html += "</div>\n"
    if !evidence.keys.isEmpty {
      html += "<h3>Flagged keys</h3>\n<ul>"
      for key in evidence.keys {
        html += "<li>\(ReportText.escape("\(key.dimension) \(key.value)")) (\(ReportText.escape(key.horizons.joined(separator: ", "))))</li>"
      }
      html += "</ul>\n"
    }
    html += "<h3>Sample events</h3>\n<table><tr><th>event id</th><th>where</th></tr>"
    for index in 0..<max(evidence.sampleEventIDs.count, evidence.sampleSources.count) {
      let id = index < evidence.sampleEventIDs.count ? evidence.sampleEventIDs[index] : ""
      let source = index < evidence.sampleSources.count ? evidence.sampleSources[index] : ""
      html += "<tr><td><code>\(ReportText.escape(id))</code></td><td><code>\(ReportText.escape(source))</code></td></tr>"
    }
    html += "</table>\n<h3>Revisions</h3>\n<table><tr><th>#</th><th>decided</th><th>activity</th><th>severity</th><th>window</th><th>records</th></tr>"
    for revision in incident.revisions {
      html += "<tr><td>\(revision.revision)</td><td>\(ReportText.escape(ReportText.time(revision.time)))</td><td>\(ReportText.escape(revision.activity))</td><td>\(ReportText.escape(revision.severity))</td><td>\(ReportText.escape("\(revision.evidence.horizon) ending \(ReportText.time(revision.evidence.windowEnd))"))</td><td>\(DisplayText.grouped(revision.evidence.records))</td></tr>"
    }
    return html + "</table>\n</section>\n"
  }

  /// A chart per key and horizon the incident was evidenced by.
  private func charts(_ incident: ReportedIncident) -> String {
    incident.charted.map { evidence, flagged in
      let chart = SVGCharts.windowChart(
        series: evidence.recentWindowRecords, lastWindowEnd: evidence.windowEnd, hop: evidence.hop ?? hops[evidence.horizon],
        typical: evidence.baselineRecords, busiest: evidence.busiestRecords, flagged: flagged)
      return """
        <h3>\(ReportText.escape("\(evidence.dimension) \(evidence.key)")): records per \(ReportText.escape(evidence.horizon)) window</h3>
        <figure class="chart">\(chart)
        <figcaption>Bars: records read in each window; red: the flagged windows this incident's revisions reported. Band: the key's \
        typical (\(DisplayText.approximate(evidence.baselineRecords))) to busiest \
        (\(DisplayText.approximate(evidence.busiestRecords))) daily peak. Log scale.</figcaption></figure>
        """
    }.joined(separator: "\n")
  }

  private static func tallyTable(_ title: String, _ tallies: [ReportedFinding.Tally]) -> String {
    var html = "<table><tr><th>\(ReportText.escape(title))</th><th>records</th><th>reads</th></tr>"
    for tally in tallies {
      let uid = tally.uid.map { " <span class=\"uid\">\(ReportText.escape($0))</span>" } ?? ""
      html += "<tr><td>\(ReportText.escape(tally.name))\(uid)</td><td>\(DisplayText.grouped(tally.records))</td><td>\(DisplayText.grouped(tally.reads))</td></tr>"
    }
    return html + "</table>"
  }

  private static let style = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;color:#1d232b;padding:0 16px}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 6px}h3{font-size:14px;margin:18px 0 6px}
    .meta{color:#5b6672;margin:2px 0 10px}
    section{border-top:1px solid #d5dbe1;padding-top:4px}
    .badge{display:inline-block;border-radius:4px;padding:1px 8px;color:#fff;font-size:13px;vertical-align:2px}
    .severity-low{fill:#6c8ebf;background:#6c8ebf}.severity-medium{fill:#d6a21e;background:#d6a21e}
    .severity-high{fill:#d9622b;background:#d9622b}.severity-critical{fill:#b3261e;background:#b3261e}
    figure{margin:8px 0}figcaption{color:#5b6672;font-size:12px}
    svg{width:100%;height:auto}
    .grid{stroke:#e3e7eb;stroke-width:1}.tick{font-size:11px;fill:#5b6672}.label{font-size:12px;fill:#1d232b}
    .band{fill:#3c9d5d;fill-opacity:.18}.typical{stroke:#3c9d5d;stroke-dasharray:4 3}
    .bar{fill:#8a9bb0}.bar.flagged{fill:#c62828}
    table{border-collapse:collapse;margin:6px 16px 6px 0;font-size:13px}
    th,td{border-bottom:1px solid #e3e7eb;padding:3px 10px 3px 0;text-align:left;vertical-align:top}
    td:nth-child(n+2){font-variant-numeric:tabular-nums}
    .evidence{display:flex;flex-wrap:wrap}.uid{color:#5b6672;font-size:12px}
    code{font-size:12px;word-break:break-all}
    """
}
