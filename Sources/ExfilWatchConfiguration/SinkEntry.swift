import ExfilWatchSinks
import Foundation
import Yams

/// A sink and the name the state file records its deliveries and spool under.
///
/// The name defaults to the sink as `--sink` writes it (`jsonl:/path`; for a webhook its host
/// and a hash of its URL, never the URL, which may hold a token); give one to keep a sink's
/// history (what it was sent, what waits for it) when its URL or path changes.
public struct NamedSink: Sendable, Equatable {
  public var name: String
  public var specification: SinkSpecification

  public init(name: String? = nil, specification: SinkSpecification) {
    self.name = name ?? specification.defaultName
    self.specification = specification
  }
}

/// One entry of `sinks:` in the config file: either the `--sink` text (`- stdout`,
/// `- jsonl:/path`) or a mapping whose one kind key gives the destination and whose other keys
/// its options:
///
/// ```yaml
/// - webhook: https://hooks.slack.com/services/T000/B000/XXXX
///   format: slack            # or ocsf (the default, except for hooks.slack.com)
///   secret: ${EXFILWATCH_WEBHOOK_SECRET}
///   timeout: 10s
///   headers: {Authorization: "Bearer ${SOAR_TOKEN}"}
///   ca_file: /etc/exfilwatch/internal-ca.pem   # trust this CA instead of the system's
///   name: soc-slack
/// - syslog: tcp://siem.example.com:6514
///   format: cef              # or rfc5424 (the default: the OCSF JSON as the message)
///   facility: local4         # authpriv by default
///   max_message_bytes: 8192
///   app_name: exfilwatch
///   timeout: 5s
/// ```
enum SinkEntry {
  static let kinds = ["stdout", "jsonl", "sqlite", "webhook", "syslog"]
  static let options = [
    "webhook": ["format", "secret", "timeout", "headers", "ca_file"],
    "syslog": ["format", "facility", "timeout", "max_message_bytes", "app_name"],
  ]

  static func sinks(_ node: Node, reader: inout ConfigurationReader) -> [NamedSink] {
    guard let entries = node.sequence else {
      reader.problem("expected a list of sinks (lines starting with '- ')", at: node, path: "sinks")
      return []
    }
    var sinks: [NamedSink] = []
    var named: [String: Int] = [:]
    for (index, entry) in entries.enumerated() {
      guard let sink = sink(entry, path: "sinks[\(index)]", reader: &reader) else { continue }
      // Two sinks under one name would share one spool and one record of deliveries.
      if let earlier = named[sink.name] {
        reader.problem(
          "the same sink as sinks[\(earlier)] (give each its own name:)", at: entry, path: "sinks[\(index)]")
      }
      named[sink.name] = index
      sinks.append(sink)
    }
    return sinks
  }

  private static func sink(_ node: Node, path: String, reader: inout ConfigurationReader) -> NamedSink? {
    if node.scalar != nil {
      guard let text = reader.string(node, path: path) else { return nil }
      do {
        return NamedSink(specification: try SinkSpecification(parsing: text))
      } catch {
        // Not the text: it may hold what a ${VARIABLE} gave.
        let forms = SinkSpecification.acceptedForms.joined(separator: ", ")
        reader.problem("not a sink (\(error.problem)); expected one of: \(forms)", at: node, path: path)
        return nil
      }
    }
    let kind = node.mapping?.keys.compactMap(\.scalar?.string).filter(kinds.contains) ?? []
    guard kind.count == 1, let kind = kind.first else {
      let problem = kind.isEmpty ? "a sink needs one of" : "a sink is one of, not several"
      reader.problem("\(problem): \(kinds.joined(separator: ", "))", at: node, path: path)
      return nil
    }
    guard let entries = reader.mapping(node, path: path, known: [kind, "name"] + (options[kind] ?? [])),
      let destination = entries[kind]
    else { return nil }
    let name = entries["name"].flatMap { node in
      reader.string(node, path: "\(path).name").flatMap { name in
        guard name.isEmpty else { return name }
        reader.problem("a name cannot be empty", at: node, path: "\(path).name")
        return nil
      }
    }
    let specification: SinkSpecification?
    switch kind {
    case "stdout":
      specification = .standardOutput
    case "webhook":
      specification = webhook(destination, entries, path: path, reader: &reader)
    case "syslog":
      specification = syslog(destination, entries, path: path, reader: &reader)
    default:
      guard let value = reader.string(destination, path: "\(path).\(kind)") else { return nil }
      do {
        specification = try SinkSpecification(parsing: "\(kind):\(value)")
      } catch {
        reader.problem(error.problem, at: destination, path: "\(path).\(kind)")
        specification = nil
      }
    }
    return specification.map { NamedSink(name: name, specification: $0) }
  }

  private static func webhook(
    _ destination: Node, _ entries: [String: Node], path: String, reader: inout ConfigurationReader
  ) -> SinkSpecification? {
    guard let text = reader.string(destination, path: "\(path).webhook") else { return nil }
    guard case .webhook(var options)? = try? SinkSpecification(parsing: "webhook:\(text)") else {
      reader.problem("expected an http:// or https:// URL with a host", at: destination, path: "\(path).webhook")
      return nil
    }
    if let node = entries["format"] {
      options.format = reader.choice(node, path: "\(path).format", as: WebhookOptions.Format.self) ?? options.format
    }
    if let node = entries["secret"], let secret = reader.string(node, path: "\(path).secret") {
      if secret.utf8.count < 16 {
        reader.problem("a secret needs at least 16 bytes", at: node, path: "\(path).secret")
      }
      options.secret = Array(secret.utf8)
    }
    options.timeout = timeout(entries, path: path, reader: &reader) ?? options.timeout
    if let node = entries["ca_file"], let caFile = reader.string(node, path: "\(path).ca_file") {
      if FileManager.default.isReadableFile(atPath: caFile) {
        options.caFile = caFile
      } else {
        reader.problem("cannot read the file '\(caFile)'", at: node, path: "\(path).ca_file")
      }
    }
    if let node = entries["headers"], let headers = reader.mapping(node, path: "\(path).headers") {
      for (header, value) in headers {
        let headerPath = "\(path).headers.\(header)"
        guard let text = reader.string(value, path: headerPath) else { continue }
        if let problem = headerProblem(name: header, value: text) {
          reader.problem(problem, at: value, path: headerPath)
        } else {
          options.headers[header] = text
        }
      }
    }
    return .webhook(options)
  }

  private static func syslog(
    _ destination: Node, _ entries: [String: Node], path: String, reader: inout ConfigurationReader
  ) -> SinkSpecification? {
    guard let text = reader.string(destination, path: "\(path).syslog") else { return nil }
    var options: SyslogOptions
    do {
      options = SyslogOptions(transport: try SyslogTransport(parsing: text))
    } catch {
      let forms = SyslogTransport.acceptedForms.joined(separator: ", ")
      reader.problem("\(error.problem); expected one of: \(forms)", at: destination, path: "\(path).syslog")
      return nil
    }
    if let node = entries["format"] {
      options.format = reader.choice(node, path: "\(path).format", as: SyslogMessageFormat.self) ?? options.format
    }
    if let node = entries["facility"], let name = reader.string(node, path: "\(path).facility") {
      do {
        options.facility = try SyslogFacility(parsing: name)
      } catch {
        reader.problem(error.problem, at: node, path: "\(path).facility")
      }
    }
    options.timeout = timeout(entries, path: path, reader: &reader) ?? options.timeout
    if let node = entries["max_message_bytes"] {
      options.maxMessageBytes =
        reader.integer(node, path: "\(path).max_message_bytes", within: 480...65_000) ?? options.maxMessageBytes
    }
    if let node = entries["app_name"], let name = reader.string(node, path: "\(path).app_name") {
      options.appName = name
    }
    return .syslog(options)
  }

  /// Seconds from `timeout:`, 100 ms to 10 minutes.
  private static func timeout(_ entries: [String: Node], path: String, reader: inout ConfigurationReader) -> Double? {
    entries["timeout"]
      .flatMap { reader.duration($0, path: "\(path).timeout", within: 100...600_000) }
      .map { Double($0) / 1000 }
  }

  /// Headers ExfilWatch sets itself: a config may not replace them.
  static let reservedHeaders: Set<String> = [
    "content-type", "content-length", "host", "user-agent", "idempotency-key",
    WebhookSignature.signatureHeader.lowercased(), WebhookSignature.timestampHeader.lowercased(),
  ]

  /// Why a header cannot be sent as given: a name that is not an HTTP token, a value with a
  /// line break (which would start a header of its own), or a header ExfilWatch sets.
  private static func headerProblem(name: String, value: String) -> String? {
    let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if name.isEmpty || !name.allSatisfy(tokenCharacters.contains) { return "not a valid header name" }
    if reservedHeaders.contains(name.lowercased()) { return "set by ExfilWatch itself; it cannot be replaced" }
    if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
      return "a header value cannot hold control characters or line breaks"
    }
    return nil
  }
}
