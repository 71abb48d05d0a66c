import ExfilWatchDetector
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Findings POSTed to an HTTP(S) endpoint: the OCSF finding as JSON for a SOAR or a custom
/// receiver, or a Slack incoming-webhook message for people.
///
/// Each request carries an idempotency key (`Idempotency-Key: <finding id>.<revision>`, the
/// same on every retry and after a restart), so a receiver that saw a message before can drop
/// it: delivery is at least once. With a secret, `WebhookSignature` headers sign the body.
/// The HTTP client is FoundationNetworking's `URLSession` (libcurl, HTTPS with the system's
/// CA certificates), which the toolchain already has: no build cost for a few POSTs.
public struct WebhookSender: MessageSender {
  public let options: WebhookOptions
  private let encoder: OCSFDetectionFindingEncoder
  private let session: HTTPSession

  public init(options: WebhookOptions, productVersion: String) {
    self.options = options
    encoder = OCSFDetectionFindingEncoder(productVersion: productVersion)
    session = HTTPSession(timeout: options.timeout)
  }

  public var destination: String { "webhook \(options.redactedURL)" }

  public func render(_ finding: Finding) -> OutgoingMessage {
    let body =
      switch options.format {
      case .ocsf: encoder.encode(finding)
      case .slack: SlackMessage(finding: finding, productVersion: encoder.productVersion).json.bytes
      }
    return OutgoingMessage(findingID: finding.id, revision: finding.revision, body: body)
  }

  public mutating func send(_ message: OutgoingMessage, timeout: Double) -> SendOutcome {
    var request = URLRequest(url: options.url, timeoutInterval: timeout)
    request.httpMethod = "POST"
    request.httpBody = Data(message.body)
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.setValue("ExfilWatch/\(encoder.productVersion)", forHTTPHeaderField: "User-Agent")
    request.setValue("\(message.findingID).\(message.revision)", forHTTPHeaderField: "Idempotency-Key")
    for (name, value) in options.headers { request.setValue(value, forHTTPHeaderField: name) }
    if let secret = options.secret {
      let timestamp = Int64(Date().timeIntervalSince1970)
      request.setValue(String(timestamp), forHTTPHeaderField: WebhookSignature.timestampHeader)
      request.setValue(
        WebhookSignature.header(body: message.body, timestamp: timestamp, secret: secret),
        forHTTPHeaderField: WebhookSignature.signatureHeader)
    }
    return Self.outcome(of: session.post(request))
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

  public init(
    url: URL, format: Format = .ocsf, secret: [UInt8]? = nil, timeout: Double = 10,
    headers: [String: String] = [:]
  ) {
    self.url = url
    self.format = format
    self.secret = secret
    self.timeout = timeout
    self.headers = headers
  }

  /// Scheme, host and port only: a webhook's path and query are often its secret (Slack's
  /// are), so they are never printed.
  public var redactedURL: String {
    let port = url.port.map { ":\($0)" } ?? ""
    let hidden = url.path.isEmpty || url.path == "/" ? "" : "/…"
    return "\(url.scheme ?? "http")://\(url.host ?? "")\(port)\(hidden)"
  }
}
