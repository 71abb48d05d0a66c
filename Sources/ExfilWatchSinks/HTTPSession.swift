import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// What came of one HTTP request, reduced to what a retry decision needs.
enum HTTPExchange: Equatable {
  /// No HTTP answer: refused, reset, DNS, TLS, or no answer within the timeout.
  case failed(String)
  /// `body` is the start of the response, cleaned up for one line of a log.
  case answered(status: Int, retryAfter: Double?, body: String)
}

/// A `URLSession` used synchronously from a sink's sending thread, one request at a time.
///
/// Redirects are refused rather than followed: a webhook that moved should be reconfigured,
/// and following a redirect would send a signed finding to wherever the answer points.
///
/// The timeout is the session's as well as each request's: FoundationNetworking on Linux waits
/// for the session's (60 s by default) whatever a request asks for.
final class HTTPSession: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
  private let timeout: Double
  private lazy var session: URLSession = {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.timeoutIntervalForResource = timeout
    return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
  }()

  init(timeout: Double) {
    self.timeout = timeout
  }

  /// Sends the request and waits for the answer, at most the timeout (plus a moment for the
  /// client's own timeout to fire first).
  func post(_ request: URLRequest) -> HTTPExchange {
    let done = DispatchSemaphore(value: 0)
    let result = ExchangeBox()
    let task = session.dataTask(with: request) { data, response, error in
      result.exchange = Self.exchange(data: data, response: response, error: error)
      done.signal()
    }
    task.resume()
    guard done.wait(timeout: .now() + timeout + 1) == .success else {
      task.cancel()
      return .failed("no answer within \(DisplayNumber.seconds(timeout))")
    }
    return result.exchange ?? .failed("no answer")
  }

  func urlSession(
    _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
  ) {
    completionHandler(nil)
  }

  private static func exchange(data: Data?, response: URLResponse?, error: (any Error)?) -> HTTPExchange {
    if let error {
      let code = (error as NSError).code
      if code == NSURLErrorTimedOut { return .failed("no answer within the timeout") }
      return .failed(error.localizedDescription)
    }
    guard let http = response as? HTTPURLResponse else { return .failed("not an HTTP answer") }
    let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap(Self.retryAfterSeconds)
    return .answered(status: http.statusCode, retryAfter: retryAfter, body: Self.excerpt(data ?? Data()))
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
  private static func excerpt(_ data: Data) -> String {
    let text = String(decoding: data.prefix(400), as: UTF8.self)
    let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map {
      $0.properties.generalCategory == .control ? " " : $0
    }))
    let trimmed = cleaned.trimmingCharacters(in: .whitespaces)
    return trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed
  }
}

/// The completion handler's answer, handed to the waiting thread (the semaphore orders it).
private final class ExchangeBox: @unchecked Sendable {
  var exchange: HTTPExchange?
}

/// `2.5 s`, `10 s`.
enum DisplayNumber {
  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
  }
}
