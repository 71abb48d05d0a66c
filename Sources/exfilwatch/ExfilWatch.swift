import ArgumentParser

import Glibc

/// The `exfilwatch` command: wires the pipeline stages together; all the work is in the stage
/// libraries.
@main
struct ExfilWatch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exfilwatch",
    abstract: "Catch bulk data theft in SaaS audit logs while it happens.",
    discussion: """
      ExfilWatch reads the access/audit logs that customer-servicing platforms export \
      (Salesforce, Okta, Microsoft 365, Zendesk, JSON lines and CSV), compressed with zstd or \
      gzip or plain, and flags unusual bulk reads of customer records.

      Exit codes: 0 success (for replay and scan: nothing new found), 1 findings written \
      (replay, scan), 2 usage error or unusable state or config file, 3 an input could not \
      be read, decoded or parsed, 4 another run holds the state file, 5 a finding did not \
      reach a sink (spooled for the next run, refused, or a file that could not be written).
      """,
    version: "0.1.0",
    subcommands: [ReplayCommand.self, ScanCommand.self, TailCommand.self, FindingsCommand.self, ReportCommand.self, ConfigCommand.self, LinesCommand.self, EventsCommand.self, SimulateCommand.self]
  )

  /// Runs the command, mapping errors to the exit codes ExfilWatch documents.
  ///
  /// swift-argument-parser exits 64 (`EX_USAGE`) on a usage error; ExfilWatch's contract is 2,
  /// like most Unix tools (grep, zstd, gzip), so scripts can tell a typo from a bad input (3).
  static func main() {
    // A reader that goes away (a log shipper on a FIFO, `| head`) is a write error the sink
    // reports, and the run commits nothing past it, rather than a signal that ends the run
    // mid-commit.
    signal(SIGPIPE, SIG_IGN)
    // Likewise a file past its size limit (`ulimit -f`) is an EFBIG write error, said with the
    // file's name, not a signal that kills the run with a core dump.
    signal(SIGXFSZ, SIG_IGN)
    do {
      var command = try parseAsRoot(ConfiguredArguments.arguments(Array(CommandLine.arguments.dropFirst())))
      if let logged = command as? any LoggingCommand { Log.configure(logged.logging) }
      try command.run()
    } catch {
      if exitCode(for: error) == .validationFailure {
        writeToStandardError(fullMessage(for: error) + "\n")
        Glibc.exit(ExitStatus.usage.rawValue)
      }
      exit(withError: error)
    }
  }
}

/// The exit codes of `exfilwatch`, a contract with the scripts and schedulers that run it.
enum ExitStatus: Int32 {
  case success = 0
  /// `replay` and `scan` wrote findings.
  case findings = 1
  case usage = 2
  /// An input could not be opened, read or decoded.
  case inputError = 3
  /// Another run holds the state file.
  case locked = 4
  /// A finding did not reach a sink: spooled for the next run, refused by a receiver, or a
  /// local sink that could not be written.
  case outputError = 5

  var exitCode: ExitCode { ExitCode(rawValue) }
}

/// Writes a message to standard error at once (unbuffered), so it lands between the lines of
/// output it is about.
func writeToStandardError(_ message: String) {
  var message = message
  message.withUTF8 { bytes in
    var written = 0
    while written < bytes.count {
      let result = Glibc.write(STDERR_FILENO, bytes.baseAddress! + written, bytes.count - written)
      if result < 0 && errno == EINTR { continue }
      if result <= 0 { return }
      written += result
    }
  }
}
