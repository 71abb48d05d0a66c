import ArgumentParser
import ExfilWatchEvent
import ExfilWatchParser
import Glibc
import Logging

/// `--log-level` and `--log-format`, shared by every command.
struct LoggingOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Least severe messages said on standard error: trace, debug, info (the default: run summaries and notes), notice, warning (retries, rejected records), error, critical.",
    valueName: "level"))
  var logLevel: Logger.Level = .info

  @Option(help: ArgumentHelp(
    "text: one 'exfilwatch: ...' line per message; json: one JSON object per line (time, level, message and fields such as input, sink), for a log shipper.",
    valueName: "format"))
  var logFormat: LogFormatOption = .text
}

enum LogFormatOption: String, ExpressibleByArgument, CaseIterable, Sendable {
  case text, json
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A command that takes `LoggingOptions`: `main` sets the log up from them before running it.
protocol LoggingCommand {
  var logging: LoggingOptions { get }
}

/// The log every message of a run goes to: standard error, as text or JSON lines.
enum Log {
  nonisolated(unsafe) private static var logger = make(.info, .text)

  static func configure(_ options: LoggingOptions) {
    logger = make(options.logLevel, options.logFormat)
  }

  private static func make(_ level: Logger.Level, _ format: LogFormatOption) -> Logger {
    var logger = Logger(label: "exfilwatch") { _ in StandardErrorLogHandler(format: format) }
    logger.logLevel = level
    return logger
  }

  static func error(_ message: String, _ metadata: Logger.Metadata? = nil) {
    logger.error("\(message)", metadata: metadata)
  }

  static func warning(_ message: String, _ metadata: Logger.Metadata? = nil) {
    logger.warning("\(message)", metadata: metadata)
  }

  static func notice(_ message: String, _ metadata: Logger.Metadata? = nil) {
    logger.notice("\(message)", metadata: metadata)
  }

  static func info(_ message: String, _ metadata: Logger.Metadata? = nil) {
    logger.info("\(message)", metadata: metadata)
  }

  static func debug(_ message: String, _ metadata: Logger.Metadata? = nil) {
    logger.debug("\(message)", metadata: metadata)
  }

  /// Each line of `text` (a run summary) as a message of its own, without its `exfilwatch: `.
  static func infoLines(_ text: String) {
    for line in text.split(separator: "\n") {
      info(line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : String(line))
    }
  }

  static let prefix = "exfilwatch: "
}

/// Writes each message as one line on standard error, unbuffered, so it lands between the lines
/// of output it is about. On a terminal a text line first erases the line it starts on: a
/// progress line is redrawn at its next tick.
struct StandardErrorLogHandler: LogHandler {
  let format: LogFormatOption
  var logLevel: Logger.Level = .info
  var metadata: Logger.Metadata = [:]
  var metadataProvider: Logger.MetadataProvider?
  private let erase = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""

  init(format: LogFormatOption) {
    self.format = format
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var fields = metadata
    if let extra = event.metadata { fields.merge(extra) { $1 } }
    switch format {
    case .text:
      writeToStandardError("\(erase)\(Log.prefix)\(event.message)\n")
    case .json:
      var line: [UInt8] = []
      JSONText.appendKey("time", to: &line, first: true)
      JSONText.appendString(Timestamp.iso8601(WallClock.milliseconds()), to: &line)
      JSONText.appendKey("level", to: &line)
      JSONText.appendString(event.level.rawValue, to: &line)
      JSONText.appendKey("message", to: &line)
      JSONText.appendString("\(event.message)", to: &line)
      for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !["time", "level", "message"].contains(key) {
        line.append(UInt8(ascii: ","))
        JSONText.appendString(key, to: &line)
        line.append(UInt8(ascii: ":"))
        JSONText.appendString("\(value)", to: &line)
      }
      writeToStandardError("{" + String(decoding: line, as: UTF8.self) + "}\n")
    }
  }
}
