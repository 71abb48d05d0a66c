import ArgumentParser

/// `exfilwatch replay`: historical archives through the detector, as fast as they decode.
struct ReplayCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Run the detector over historical audit logs and write its findings.",
    discussion: """
      Inputs (files, directories walked recursively, '-' for standard input; zstd, gzip or \
      plain) are merged by event time, parsed, and judged by the sliding-window detector; each \
      incident is one finding, created, updated as it grows and closed after a quiet period. \
      How the detector decides is in the README, "How detection works".

      \(DetectionCommandOptions.exitCodes)

      Examples:
        exfilwatch replay SampleLogs/simulated/connected-app-exfil
        exfilwatch replay --sink jsonl:findings.jsonl --sink stdout archive/2025-06/
      """
  )

  @OptionGroup var options: DetectionCommandOptions
  var logging: LoggingOptions { options.logging }

  func run() throws {
    try options.run(commandName: "replay")
  }
}

/// `exfilwatch scan`: the cron use. The same engine and findings as `replay`; its exit code is
/// what a scheduler acts on.
struct ScanCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Scan audit logs once (for cron) and write findings; the exit code says whether any were found.",
    discussion: """
      Runs the same detector as replay over the inputs given, resuming from a state file \
      (--state, default ./exfilwatch.state): only what is new since the last run is read \
      (grown, new and rotated files), the baselines are carried forward and no finding is \
      delivered twice. Prints nothing unless it finds something or fails (--verbose: always). \
      One run per state file at a time.

      \(DetectionCommandOptions.exitCodes)

      Examples:
        exfilwatch scan --state /var/lib/exfilwatch/scan.state --sink jsonl:findings.jsonl /var/log/salesforce/
        */15 * * * * exfilwatch scan --state /var/lib/exfilwatch/scan.state /var/log/salesforce/
        exfilwatch scan --metrics-file /var/lib/node_exporter/textfile/exfilwatch.prom /var/log/okta/
      """
  )

  @OptionGroup var options: DetectionCommandOptions
  var logging: LoggingOptions { options.logging }

  func run() throws {
    try options.run(commandName: "scan")
  }
}
