import AsyncHTTPClient
import ExfilWatchEvent
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// What came of one HTTP request, reduced to what a retry decision needs.
enum HTTPExchange: Equatable {
  /// No HTTP answer: refused, reset, DNS, TLS, or no answer within the timeout.
  case failed(String)
  /// `body` is the start of the response, cleaned up for one line of a log.
  case answered(status: Int, retryAfter: Double?, body: String)
}

/// An async-http-client `HTTPClient` used synchronously from a sink's sending thread, one
/// request at a time.
///
/// async-http-client rather than FoundationNetworking's `URLSession`: on Linux the latter
/// busy-polls libcurl while it waits for an answer (a whole core for as long as a receiver
/// hangs) and ignores a request's own timeout; NIO waits in epoll, and a request's deadline
/// covers connecting, sending and the answer. Redirects are refused rather than followed (a
/// webhook that moved should be reconfigured, and following would send a signed finding
/// wherever the answer points), and a refused connection fails the attempt at once: the sink's
/// queue does the retrying, in order.
final class HTTPSession: Sendable {
  private let client: HTTPClient
  private let timeout: Double

  /// - Parameter trustRoots: A PEM file of CA certificates to trust instead of the system's
  ///   (a receiver behind an internal CA).
  init(timeout: Double, trustRoots: String?) {
    self.timeout = timeout
    var tls = TLSConfiguration.makeClientConfiguration()
    if let trustRoots { tls.trustRoots = .file(trustRoots) }
    var configuration = HTTPClient.Configuration(
      tlsConfiguration: tls, redirectConfiguration: .disallow,
      timeout: .init(connect: .milliseconds(Int64(timeout * 1000)), read: .milliseconds(Int64(timeout * 1000))))
    configuration.connectionPool.retryConnectionEstablishment = false
    client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
  }

  deinit {
    try? client.syncShutdown()
  }

  /// POSTs `body` and waits for the answer, at most the timeout in all.
  func post(to url: URL, headers: [(String, String)], body: [UInt8]) -> HTTPExchange {
    let request: HTTPClient.Request
    do {
      request = try HTTPClient.Request(
        url: url.absoluteString, method: .POST, headers: HTTPHeaders(headers), body: .bytes(body))
    } catch {
      return .failed("cannot make a request of the URL: \(error)")
    }
    let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
    do {
      let response = try client.execute(request: request, deadline: deadline).wait()
      return .answered(
        status: Int(response.status.code),
        retryAfter: response.headers.first(name: "Retry-After").flatMap(Self.retryAfterSeconds),
        body: Self.excerpt(response.body.map { Array($0.readableBytesView) } ?? []))
    } catch let error as HTTPClientError
      where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error)
    {
      return .failed("no answer within \(DurationText.text(milliseconds: Int64(timeout * 1000)))")
    } catch {
      return .failed("\(error)")
    }
  }

  /// `Retry-After` as seconds: either a number of seconds or an HTTP date (RFC 9110 §10.2.3).
  static func retryAfterSeconds(_ value: String) -> Double? {
    let trimmed = value.trimmingCharacters(in: .whitespaces)
    if let seconds = Double(trimmed), seconds >= 0 { return seconds }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: trimmed) else { return nil }
    return max(0, date.timeIntervalSinceNow)
  }

  /// The first 200 characters of a response, on one line, without control characters: enough
  /// to tell Slack's `invalid_payload` from a proxy's error page in a log.
  private static func excerpt(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes.prefix(400), as: UTF8.self)
    let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map {
      $0.properties.generalCategory == .control ? " " : $0
    }))
    let trimmed = cleaned.trimmingCharacters(in: .whitespaces)
    return trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed
  }
}
