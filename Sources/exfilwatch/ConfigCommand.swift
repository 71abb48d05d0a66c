import ArgumentParser
import ExfilWatchConfiguration
import ExfilWatchParser

/// `exfilwatch config`: check a config file before a deployment uses it, or start one.
struct ConfigCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config",
    abstract: "Check a config file, or print a commented example of one.",
    subcommands: [ConfigCheckCommand.self, ConfigExampleCommand.self]
  )
}

struct ConfigCheckCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check a config file: every problem with its line, column and key path (exit 2), or ok.",
    discussion: """
      Checks the YAML, every key, every value's kind (durations, sizes, numbers, choices), \
      the sinks and their options, and that each ${VARIABLE} is set in this environment; \
      secrets are never printed. Then the options are given to replay, scan and tail as \
      they would be, so a value wrong for its option (a misspelt dimension) is found too.

      Examples:
        exfilwatch config check /etc/exfilwatch/exfilwatch.yaml
        EXFILWATCH_WEBHOOK_SECRET=x exfilwatch config check exfilwatch.yaml
      """
  )

  @Argument(help: ArgumentHelp("The config file.", valueName: "file"))
  var file: String

  @OptionGroup var logging: LoggingOptions

  func run() throws {
    let configuration: ConfigurationFile
    do {
      configuration = try ConfigurationFile.load(path: file)
    } catch {
      for problem in error.problems { Log.error("\(problem)") }
      throw ExitStatus.usage.exitCode
    }
    // Each option on its own, as every command that takes it would parse it.
    var problems: [(line: Int, text: String)] = []
    for (index, input) in (configuration.inputs ?? []).enumerated() where !input.fields.isEmpty {
      do { _ = try FieldMapping(specifications: input.fields) } catch {
        problems.append((0, "\(file): inputs[\(index)].field: \(error)"))
      }
    }
    for option in configuration.options {
      for (command, accepted) in ConfiguredArguments.accepted.sorted(by: { $0.key < $1.key }) where accepted.contains(option.name) {
        do {
          _ = try ExfilWatch.parseAsRoot([command] + option.arguments + (command == "tail" ? ["-"] : []))
        } catch {
          let message = ExfilWatch.message(for: error).split(separator: "\n").first.map(String.init) ?? ""
          let key = option.name.replacingOccurrences(of: "-", with: "_")
          problems.append((option.line, "\(file):\(option.line):\(option.column): \(key): \(message)"))
          break
        }
      }
    }
    for problem in problems.sorted(by: { $0.line < $1.line }) { Log.error(problem.text) }
    if !problems.isEmpty { throw ExitStatus.usage.exitCode }
    let sinks = configuration.sinks?.count ?? 0
    let inputs = configuration.inputs?.count ?? 0
    let allowlisted = configuration.allowlist?.entries.count ?? 0
    Log.info("\(file): ok (\(configuration.options.count) option(s), \(inputs) input(s), \(sinks) sink(s), \(allowlisted) allowlist entr\(allowlisted == 1 ? "y" : "ies"))")
  }
}

struct ConfigExampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "example",
    abstract: "Print a commented example config file (every key, with its default).",
    discussion: """
      Examples:
        exfilwatch config example > exfilwatch.yaml
      """
  )

  func run() throws {
    let output = StandardOutput()
    output.write(Self.text)
    output.flush()
  }

  static let text = """
    # exfilwatch.yaml: given with --config to replay, scan and tail. Every key is optional and
    # is the command-line option of the same name (warm_up is --warm-up); an option given on
    # the command line replaces the file's. Values may name environment variables as ${NAME}
    # (write $$ for a $), so secrets stay out of the file. Check it with
    # `exfilwatch config check FILE`.

    # What to read when the command line names nothing: files, directories, globs (tail).
    # An input may have its own format and field mapping (a path or glob with options).
    inputs:
      - /var/log/salesforce/
      # - path: /var/log/app/access.jsonl
      #   format: jsonl
      #   field: [time=ts, actor=user.email, records=rows]

    # Reading. format: auto (recognise each input), sf-rtem, sf-elf, okta, m365, servicenow,
    # zendesk, jsonl or csv; field maps the generic formats' fields (NAME=PATH).
    format: auto
    # field: [time=ts, actor=user.email, records=rows, client=app, sourceIP=ip]
    max_record_length: 1M        # longer records are rejected
    max_key_length: 512          # longer user names, apps... are cut, with a hash of the whole
    max_fields: 4096             # records with more JSON values or CSV columns are rejected
    max_window: 128M             # largest zstd window accepted
    # rejects: /var/lib/exfilwatch/rejects.jsonl   # every rejected record, with its reason

    # Detection (README, "How detection works"). A dimension is what records are summed per;
    # a horizon is a window and its thresholds (5m:hop=1m,score=4,records=5000,reads=1000,
    # multiple=10,spread=0.5; a new name adds one).
    dimension: [actor, client, source_ip]
    # horizon: ["5m:hop=1m,records=20000"]
    warm_up: 3d                  # event time learnt before keys are flagged
    # allowed_lateness: 5m       # how late an event may come (tail: the shortest hop)
    quiet_period: 1d             # an incident with no flagged window for this long closes
    relearn_after: 10d           # a key flagged without a break this long learns its level
    max_keys: 1000000            # least recently seen keys beyond this are forgotten
    max_time_jump: 1h            # an event further ahead waits for jump_confirmations
    jump_confirmations: 32       # events in a row that make a jump real, not a wrong clock
    # threads: 2                 # replay and scan: default the cores online

    # State and output.
    # state: /var/lib/exfilwatch/exfilwatch.state   # scan and tail (default ./exfilwatch.state);
    #                            # replay keeps none unless --state is on its command line
    checkpoint_interval: 10s
    max_spool: 10000             # findings kept per webhook/syslog sink that is down
    # quiet: true                # no run summary
    # verbose: true              # scan: a summary even when nothing was found
    log_level: info              # trace, debug, info, notice, warning, error, critical
    log_format: text             # or json, one object per line
    # metrics_file: /var/lib/node_exporter/textfile/exfilwatch.prom
    # metrics_listen: 127.0.0.1:9464   # tail: serve /metrics

    # tail.
    poll_interval: 1s
    rotate_wait: 5s
    idle_close: 60s

    # Keys never alerted on, or only past their own thresholds (score, record_floor,
    # read_floor, multiple; for every horizon). Each entry names one field: actor, client,
    # source_ip (an address or a CIDR network), object, session or tenant; a key matches when
    # its dimension has the field with that value (case ignored). Matched keys still
    # learn. Not saved in the state: edit it any time.
    # allowlist:
    #   - actor: etl.nightly@acme.example
    #     reason: nightly export to the warehouse
    #   - client: Data Loader
    #     record_floor: 2000000
    #   - source_ip: 10.20.0.0/16

    # Where findings go (--sink replaces this list; a --sink naming one of these takes its
    # options).
    sinks:
      - stdout
      - jsonl: /var/lib/exfilwatch/findings.jsonl
      # - sqlite: /var/lib/exfilwatch/findings.db
      # - webhook: https://soar.example.com/hooks/exfilwatch
      #   format: ocsf                       # or slack (the default for hooks.slack.com)
      #   secret: ${EXFILWATCH_WEBHOOK_SECRET}   # HMAC-SHA256 signature header
      #   timeout: 10s
      #   headers: {Authorization: "Bearer ${SOAR_TOKEN}"}
      #   ca_file: /etc/exfilwatch/internal-ca.pem
      #   name: soar
      # - syslog: tcp://siem.example.com:6514
      #   format: rfc5424                    # or cef
      #   facility: authpriv
      #   max_message_bytes: 8192
      #   app_name: exfilwatch
      #   timeout: 5s

    """
}
