import ArgumentParser

/// `exfilwatch replay`: historical archives through the detector, as fast as they decode.
struct ReplayCommand: ParsableCommand {
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

  func run() throws {
    try options.run(commandName: "replay")
  }
}

/// `exfilwatch scan`: the cron use. The same engine and findings as `replay`; its exit code is
/// what a scheduler acts on.
struct ScanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Scan audit logs once (for cron) and write findings; the exit code says whether any were found.",
    discussion: """
      Runs the same detector as replay over the inputs given. Until the state file arrives, a \
      scan reads every input it is given from its start (give it the logs of the baseline \
      period too, so keys have history).

      \(DetectionCommandOptions.exitCodes)
      """
  )

  @OptionGroup var options: DetectionCommandOptions

  func run() throws {
    try options.run(commandName: "scan")
  }
}
