import ExfilWatchEvent
import Foundation

/// Where findings go, as the user writes it after `--sink` (`stdout`, `jsonl:PATH`,
/// `sqlite:PATH`, `webhook:URL`, `syslog:udp://HOST:PORT`) or as a config file's `sinks:` entry describes it, options
/// included.
///
/// Parsing is separate from opening, so the CLI can reject a mistyped `--sink` before it reads
/// any input, and open the sinks only once the run starts.
public enum SinkSpecification: Equatable, Sendable, CustomStringConvertible {
  /// One human-readable line per finding on standard output.
  case standardOutput
  /// OCSF Detection Finding JSON lines appended to the file at the path.
  case jsonLines(path: String)
  /// A findings table in an SQLite database, one row per finding id at its latest revision.
  case sqlite(path: String)
  /// Findings POSTed to an HTTP(S) endpoint.
  case webhook(WebhookOptions)
  /// RFC 5424 syslog messages over UDP, TCP (octet counting) or a unix socket.
  case syslog(SyslogOptions)

  /// The forms `init(parsing:)` accepts, for help and error texts.
  public static let acceptedForms = [
    "stdout", "jsonl:PATH", "sqlite:PATH", "webhook:URL", "syslog:udp://HOST:PORT", "syslog:tcp://HOST:PORT",
    "syslog:unix:///dev/log",
  ]

  public init(parsing text: String) throws(SinkSpecificationError) {
    if text == "stdout" {
      self = .standardOutput
      return
    }
    guard let colon = text.firstIndex(of: ":") else {
      throw SinkSpecificationError(text: text, problem: "unknown sink")
    }
    let kind = text[..<colon]
    let value = String(text[text.index(after: colon)...])
    switch kind {
    case "jsonl", "sqlite":
      guard !value.isEmpty else {
        throw SinkSpecificationError(text: text, problem: "\(kind) needs a file path after the colon")
      }
      self = kind == "jsonl" ? .jsonLines(path: value) : .sqlite(path: value)
    case "webhook":
      let url = try Self.webhookURL(value, text: text)
      self = .webhook(WebhookOptions(url: url, format: url.host == "hooks.slack.com" ? .slack : .ocsf))
    case "syslog":
      do {
        self = .syslog(SyslogOptions(transport: try SyslogTransport(parsing: value)))
      } catch {
        throw SinkSpecificationError(text: text, problem: "syslog: \(error.problem)")
      }
    default:
      throw SinkSpecificationError(text: text, problem: "unknown sink")
    }
  }

  /// An absolute http or https URL with a host. A Slack incoming webhook gets Slack's message
  /// format unless told otherwise.
  static func webhookURL(_ value: String, text: String) throws(SinkSpecificationError) -> URL {
    guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
    else {
      throw SinkSpecificationError(text: text, problem: "webhook needs an http:// or https:// URL with a host")
    }
    return url
  }

  /// The sink, opened: a local one written in the run's own thread, or a remote one whose
  /// messages a `QueuedDelivery` sends.
  public enum Opened {
    case local(any FindingSink)
    case remote(any MessageSender, attemptTimeout: Double)
  }

  /// Opens the sink. `productVersion` goes into every OCSF event's `metadata.product.version`.
  public func open(productVersion: String) throws(SinkError) -> Opened {
    switch self {
    case .standardOutput: .local(StandardOutputSink())
    case .jsonLines(let path): .local(try JSONLinesSink(path: path, productVersion: productVersion))
    case .sqlite(let path): .local(try SQLiteFindingSink(path: path, productVersion: productVersion))
    case .webhook(let options):
      .remote(WebhookSender(options: options, productVersion: productVersion), attemptTimeout: options.timeout)
    case .syslog(let options):
      .remote(SyslogSender(options: options, productVersion: productVersion), attemptTimeout: options.timeout)
    }
  }

  /// The specification as the user would write it after `--sink` (options left out), safe to
  /// print: a webhook's URL without its path and query, which are often its secret.
  public var description: String {
    switch self {
    case .standardOutput: "stdout"
    case .jsonLines(let path): "jsonl:\(path)"
    case .sqlite(let path): "sqlite:\(path)"
    case .webhook(let options): "webhook:\(options.redactedURL)"
    case .syslog(let options): "syslog:\(options.transport)"
    }
  }

  /// What the state file records deliveries and spools under when the sink has no name of
  /// its own: the description, and for a webhook a hash of its whole URL, so two webhooks on
  /// one host stay apart while the name stays safe to print.
  public var defaultName: String {
    guard case .webhook(let options) = self else { return description }
    let hash = Array(options.url.absoluteString.utf8).withUnsafeBytes { ByteChecksum.of($0) }
    return "\(description)#\(String(hash, radix: 16))"
  }
}

/// A `--sink` value that is not one of `SinkSpecification.acceptedForms`.
public struct SinkSpecificationError: Error, Equatable, CustomStringConvertible {
  /// The value as given (a webhook's URL left out).
  public var text: String
  /// What is wrong with it.
  public var problem: String

  /// A webhook's URL is not repeated (it may hold a token): only `webhook:…` is.
  public init(text: String, problem: String) {
    self.text = text.hasPrefix("webhook:") ? "webhook:…" : text
    self.problem = problem
  }

  public var description: String {
    "invalid sink '\(text)': \(problem); expected one of: "
      + SinkSpecification.acceptedForms.joined(separator: ", ")
  }
}
