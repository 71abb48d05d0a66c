import ArgumentParser
import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchSinks
import Foundation

/// `exfilwatch findings`: what a findings database holds, as a table for a person or as OCSF
/// JSON lines for a script.
struct FindingsCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "findings",
    abstract: "List the findings kept in a findings database (written by --sink sqlite:PATH).",
    discussion: """
      One line per incident, its latest revision, oldest first: when it was decided (UTC), \
      severity, activity (Create, Update, Close), revision, the evidence's key, records read \
      in its window against the key's baseline, score and id. Values from the logs are \
      escaped and long keys shortened in the middle; --json prints each finding's whole OCSF \
      Detection Finding instead, one per line.

      --since takes a span back from now (30m, 24h, 7d) or a UTC time (2025-06-04, \
      2025-06-04T16:00:00Z). A finding's time is the event time at which it was decided, so \
      the findings of a replayed archive are as old as its logs: list them with a date.

      Exit codes: 0 listed (even none), 2 usage error or a database that cannot be read.

      Examples:
        exfilwatch findings --db findings.db --since 24h --severity high
        exfilwatch findings --db findings.db --since 2025-06-01
        exfilwatch findings --db findings.db --json | jq -r .finding_info.title
      """
  )

  @OptionGroup var logging: LoggingOptions

  @Option(help: ArgumentHelp("The findings database (a file given to --sink sqlite:).", valueName: "path"))
  var db: String

  @Option(help: ArgumentHelp(
    "Only findings decided since then: a span back from now (30m, 24h, 7d) or a UTC time.",
    valueName: "span-or-time"))
  var since: SinceArgument?

  @Option(help: "Only findings of this severity and above.")
  var severity: Finding.Severity?

  @Flag(help: "Print each finding's OCSF Detection Finding JSON, one per line, instead of the table.")
  var json = false

  func run() throws {
    let start = since?.start(now: Int64(Date().timeIntervalSince1970 * 1000))
    let findings: [StoredFinding]
    let newest: Int64?
    do {
      let database = try FindingsDatabase(path: db)
      findings = try database.findings(since: start, minimumSeverity: severity)
      newest = findings.isEmpty ? try database.newestFindingTime() : nil
    } catch {
      Log.error("\(error)")
      throw ExitStatus.usage.exitCode
    }
    if findings.isEmpty {
      Log.notice("\(emptyListNote(start: start, newest: newest))")
      return
    }
    let output = StandardOutput()
    for line in json ? findings.map(\.json) : FindingsTable(findings).lines {
      output.write(line + "\n")
    }
    output.flush()
  }

  /// Says that nothing was listed, and when `--since` is why, how old the newest finding is.
  private func emptyListNote(start: Int64?, newest: Int64?) -> String {
    var note = "no findings"
    if let severity { note += " of severity \(severity.name.lowercased()) or higher" }
    if let start { note += " since \(DisplayText.utcSeconds(start))" }
    note += " in \(db)"
    guard let start, let newest, newest < start else { return note }
    return note + "; the newest is from \(DisplayText.utcSeconds(newest)) (finding times are event "
      + "times: for replayed logs, give --since a date)"
  }
}

/// Where `--since` starts: a span back from now (`24h`) or a moment of event time
/// (`2025-06-04`).
enum SinceArgument: ExpressibleByArgument {
  case ago(DurationArgument)
  case moment(EventTimeArgument)

  init?(argument: String) {
    if let span = DurationArgument(argument: argument) {
      self = .ago(span)
    } else if let moment = EventTimeArgument(argument: argument) {
      self = .moment(moment)
    } else {
      return nil
    }
  }

  /// The earliest finding time (epoch ms) listed, given the wall clock's `now`.
  func start(now: Int64) -> Int64 {
    switch self {
    case .ago(let span):
      // A span reaching back past the earliest representable time lists everything.
      now.subtractingReportingOverflow(span.milliseconds).overflow ? .min : now - span.milliseconds
    case .moment(let moment): moment.milliseconds
    }
  }
}

extension Finding.Severity: ExpressibleByArgument {
  /// `low`, `medium`, `high`, `critical`, in any case.
  public init?(argument: String) {
    guard let severity = Self.allCases.first(where: { $0.name.lowercased() == argument.lowercased() }) else {
      return nil
    }
    self = severity
  }

  public static var allValueStrings: [String] { allCases.map { $0.name.lowercased() } }
}
