import ExfilWatchDetector
import Foundation

/// Findings POSTed to an HTTP(S) endpoint: the OCSF finding as JSON for a SOAR or a custom
/// receiver, or a Slack incoming-webhook message for people.
///
/// Each request carries an idempotency key (`Idempotency-Key: <finding id>.<revision>`, the
/// same on every retry and after a restart), so a receiver that saw a message before can drop
/// it: delivery is at least once. With a secret, `WebhookSignature` headers sign the body.
/// HTTPS checks the receiver's certificate against the system's CA certificates, or the
/// `caFile`'s.
public struct WebhookSender: MessageSender {
  public let options: WebhookOptions
  private let encoder: OCSFDetectionFindingEncoder
  private let session: HTTPSession

  public init(options: WebhookOptions, productVersion: String) {
    self.options = options
    encoder = OCSFDetectionFindingEncoder(productVersion: productVersion)
    session = HTTPSession(timeout: options.timeout, trustRoots: options.caFile)
  }

  public var destination: String { "webhook \(options.redactedURL)" }

  public func render(_ finding: Finding) -> OutgoingMessage {
    let body =
      switch options.format {
      case .ocsf: encoder.encode(finding)
      case .slack: SlackMessage(finding: finding, productVersion: encoder.productVersion).json.bytes
      }
    return OutgoingMessage(finding: finding, body: body)
  }

  /// Posts the message; the attempt's time limit is the options' `timeout`, which the queue
  /// is given as well.
  public mutating func send(_ message: OutgoingMessage, timeout: Double) -> SendOutcome {
    var headers = [
      ("Content-Type", "application/json"),
      ("User-Agent", "ExfilWatch/\(encoder.productVersion)"),
      ("Idempotency-Key", "\(message.findingID).\(message.revision)"),
    ]
    headers += options.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    if let secret = options.secret {
      let timestamp = Int64(Date().timeIntervalSince1970)
      headers.append((WebhookSignature.timestampHeader, String(timestamp)))
      headers.append(
        (WebhookSignature.signatureHeader, WebhookSignature.header(body: message.body, timestamp: timestamp, secret: secret)))
    }
    return Self.outcome(of: session.post(to: options.url, headers: headers, body: message.body))
  }

  public mutating func close() {}

  /// 2xx delivers; 408, 429 and 5xx may pass later (with the receiver's `Retry-After`);
  /// redirects and other 4xx are refusals that retrying cannot change, so they are reported
  /// instead of retried for ever.
  static func outcome(of exchange: HTTPExchange) -> SendOutcome {
    switch exchange {
    case .failed(let reason):
      return .retry(after: nil, reason: reason)
    case .answered(let status, let retryAfter, let body):
      let reason = "HTTP \(status)" + (body.isEmpty ? "" : " \(body)")
      switch status {
      case 200 ..< 300: return .delivered
      case 408, 429, 500 ..< 600: return .retry(after: retryAfter, reason: reason)
      case 300 ..< 400: return .rejected(reason: reason + " (redirects are not followed: give the final URL)")
      default: return .rejected(reason: reason)
      }
    }
  }
}

/// How findings are posted to one webhook.
public struct WebhookOptions: Sendable, Equatable {
  public enum Format: String, Sendable, CaseIterable {
    /// The OCSF Detection Finding, as the jsonl sink writes it.
    case ocsf
    /// A Slack incoming-webhook message (`text` and blocks).
    case slack
  }

  public var url: URL
  public var format: Format
  /// The HMAC key for `X-ExfilWatch-Signature`; no signature without one.
  public var secret: [UInt8]?
  /// Seconds one attempt may take, and how long the end of a run waits for the queue.
  public var timeout: Double
  /// Extra request headers (an `Authorization` token, a tenant header).
  public var headers: [String: String]
  /// A PEM file of CA certificates that HTTPS trusts instead of the system's, for a receiver
  /// behind an internal CA.
  public var caFile: String?

  public init(
    url: URL, format: Format = .ocsf, secret: [UInt8]? = nil, timeout: Double = 10,
    headers: [String: String] = [:], caFile: String? = nil
  ) {
    self.url = url
    self.format = format
    self.secret = secret
    self.timeout = timeout
    self.headers = headers
    self.caFile = caFile
  }

  /// Scheme, host and port only: a webhook's path and query are often its secret (Slack's
  /// are), so they are never printed.
  public var redactedURL: String {
    let host = url.host ?? ""
    let port = url.port.map { ":\($0)" } ?? ""
    let hidden = (url.path.isEmpty || url.path == "/") && url.query == nil ? "" : "/…"
    return "\(url.scheme ?? "http")://\(host.contains(":") ? "[\(host)]" : host)\(port)\(hidden)"
  }
}
