import ExfilWatchConfiguration

/// The command line as a command sees it: the options its config file (`--config`) sets, then
/// the command line's own. An option given on the command line is not taken from the file, so
/// the command line wins, for repeatable options (`--dimension`) too.
///
/// The file's options go through the same parsing and checks as typed ones: a value wrong for
/// its option is the same usage error either way.
enum ConfiguredArguments {
  private static let reading: Set<String> = [
    "format", "field", "max-record-length", "max-key-length", "max-fields", "max-window", "rejects", "dimension", "horizon", "warm-up",
    "allowed-lateness", "quiet-period", "relearn-after", "max-keys", "max-spool", "max-time-jump", "jump-confirmations", "quiet", "verbose", "metrics-file",
    "log-level", "log-format",
  ]
  /// The state file: scan's and tail's. A replay keeps state only when its command line asks
  /// (a shared config file must not make an archive replay write into, or wait for, the
  /// scans' state).
  private static let stateful: Set<String> = ["state", "checkpoint-interval"]

  /// The options each command that takes `--config` has, by long name.
  static let accepted: [String: Set<String>] = [
    "replay": reading.union(["threads"]), "scan": reading.union(["threads"]).union(stateful),
    "tail": reading.union(stateful).union(["poll-interval", "rotate-wait", "idle-close", "metrics-listen"]),
  ]

  /// `arguments` (without the program name) with the config file's options put in after the
  /// command's name. A file that cannot be read is left for the command to report.
  static func arguments(_ arguments: [String]) -> [String] {
    guard let command = arguments.first, let options = accepted[command], let path = configPath(in: arguments),
      let file = try? ConfigurationFile.load(path: path)
    else { return arguments }
    let given = arguments.prefix { $0 != "--" }
    let injected = file.options.filter { option in
      options.contains(option.name) && !given.contains { $0 == "--\(option.name)" || $0.hasPrefix("--\(option.name)=") }
    }.flatMap(\.arguments)
    return [command] + injected + arguments.dropFirst()
  }

  private static func configPath(in arguments: [String]) -> String? {
    for (index, argument) in arguments.enumerated() {
      if argument == "--" { return nil }
      if argument == "--config", index + 1 < arguments.count { return arguments[index + 1] }
      if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
    }
    return nil
  }
}
