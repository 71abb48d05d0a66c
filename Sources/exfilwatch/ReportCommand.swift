import ArgumentParser
import ExfilWatchDetector
import ExfilWatchReport
import Foundation

/// `exfilwatch report`: a findings file as a page a person can look at and pass on.
struct ReportCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Make a self-contained HTML page of a findings file (written by --sink jsonl:PATH).",
    discussion: """
      One page, no network fetches (inline SVG and style, no script): a timeline of the \
      incidents, then per incident its latest revision, a chart of the key's recent window \
      sums against its baseline band (the flagged windows its revisions reported in red), the evidence (actors, \
      client apps, source IPs, objects, sample events) and every revision. Values from the \
      logs are escaped. Revisions are grouped by incident id; the latest leads its section.

      Exit codes: 0 written, 2 usage error or a findings file that cannot be read (the line \
      is named), 5 the page could not be written.

      Examples:
        exfilwatch replay --sink jsonl:findings.jsonl SampleLogs/simulated/connected-app-exfil
        exfilwatch report findings.jsonl --html report.html
      """
  )

  @OptionGroup var logging: LoggingOptions

  @Argument(help: ArgumentHelp("The findings file (OCSF JSON lines from a jsonl sink).", valueName: "findings.jsonl"))
  var findings: String

  @Option(help: ArgumentHelp("Where the page goes.", valueName: "path"))
  var html: String

  func run() throws {
    let read: [ReportedFinding]
    do {
      read = try ReportedFinding.read(path: findings)
    } catch {
      Log.error("\(error)")
      throw ExitStatus.usage.exitCode
    }
    let hops = Dictionary(
      DetectorConfiguration().horizons.map { ($0.name, $0.hop) }, uniquingKeysWith: { first, _ in first })
    let incidents = ReportedIncident.group(read)
    let page = HTMLReport(incidents: incidents, source: (findings as NSString).lastPathComponent, hops: hops).render()
    do {
      try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
    } catch {
      Log.error("\(html): cannot write the page: \(error.localizedDescription)")
      throw ExitStatus.outputError.exitCode
    }
    Log.info("report: \(incidents.count) incident(s), \(read.count) finding revision(s) -> \(html)")
  }
}
