import ExfilWatchDetector
import ExfilWatchTestSupport
import Foundation
import Testing

@testable import ExfilWatchSinks

/// The webhook sink against a real HTTP server on 127.0.0.1 (Python's http.server), through
/// the same `QueuedDelivery` the CLI uses.
@Suite("Webhook sink", .serialized)
struct WebhookSinkTests {
  static let secret = "test-secret-0123456789abcdef"

  /// Findings with their own ids, to follow their order.
  static func findings(_ count: Int) -> [Finding] {
    (0 ..< count).map { index in
      var finding = SampleFindings.finding()
      finding.id = "exw-00000000000000\(String(format: "%02d", index))"
      return finding
    }
  }

  static func queue(
    _ receiver: WebhookReceiver, format: WebhookOptions.Format = .ocsf, timeout: Double = 5,
    policy: RetryPolicy = RetryPolicy(initialDelay: 0.1, maximumDelay: 0.5),
    events: EventLog = EventLog()
  ) -> QueuedDelivery {
    let options = WebhookOptions(
      url: URL(string: receiver.url())!, format: format, secret: Array(secret.utf8), timeout: timeout,
      headers: ["Authorization": "Bearer token-1"])
    return QueuedDelivery(
      sender: WebhookSender(options: options, productVersion: "0.1.0"), attemptTimeout: timeout,
      policy: policy, report: { events.append($0) })
  }

  @Test("the OCSF finding is posted with a valid signature, idempotency key and headers")
  func ocsfPayload() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(secret: Self.secret, logIn: directory)
    let queue = Self.queue(receiver)
    let finding = SampleFindings.finding(revision: 3)
    queue.enqueue(finding)
    #expect(queue.finish(allowing: 10))
    let request = try #require(try receiver.requests().first)
    #expect(request.path == "/hooks/exfilwatch")
    #expect(request.signature_valid == true)
    #expect(request.header("Idempotency-Key") == "\(finding.id).3")
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("Authorization") == "Bearer token-1")
    #expect(request.header("User-Agent") == "ExfilWatch/0.1.0")
    #expect(request.body == String(decoding: OCSFDetectionFindingEncoder(productVersion: "0.1.0").encode(finding), as: UTF8.self))
    let info = try #require(request.json?["finding_info"] as? [String: Any])
    #expect(info["uid"] as? String == finding.id)
    #expect(queue.takeProgress().acknowledged.map(\.findingID) == [finding.id])
  }

  @Test("a body changed on the way fails the receiver's check")
  func signatureCoversTheBody() {
    let body = Array(#"{"a":1}"#.utf8)
    let signed = WebhookSignature.header(body: body, timestamp: 1_700_000_000, secret: Array("k".utf8))
    #expect(signed != WebhookSignature.header(body: Array(#"{"a":2}"#.utf8), timestamp: 1_700_000_000, secret: Array("k".utf8)))
    #expect(signed != WebhookSignature.header(body: body, timestamp: 1_700_000_001, secret: Array("k".utf8)))
    // RFC 4231 test case 2, the HMAC-SHA256 itself.
    let digest = WebhookSignature.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
    #expect(digest.map { String(format: "%02x", $0) }.joined()
      == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
  }

  @Test("Slack format: text and blocks, log values escaped so they cannot ping or link")
  func slackPayload() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(logIn: directory)
    let queue = Self.queue(receiver, format: .slack)
    let finding = SampleFindings.finding(
      evidence: SampleFindings.evidence(actors: [Tally(name: "<!channel> & <https://evil.example|x>", records: 5, reads: 1)]))
    queue.enqueue(finding)
    #expect(queue.finish(allowing: 10))
    let message = try #require(try receiver.requests().first?.json)
    let text = try #require(message["text"] as? String)
    #expect(text.hasPrefix("HIGH new incident: Bulk record reads"))
    let blocks = try #require(message["blocks"] as? [[String: Any]])
    #expect(blocks.map { $0["type"] as? String } == ["header", "section", "context"])
    let fields = try #require(blocks[1]["fields"] as? [[String: Any]]).compactMap { $0["text"] as? String }
    let actor = try #require(fields.first { $0.hasPrefix("*Actor*") })
    #expect(actor.contains("&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;"))
    #expect(!actor.contains("<!channel>"))
    #expect(fields.contains { $0.hasPrefix("*Volume*\n*612,000* records, typically 340") })
    let context = try #require((blocks[2]["elements"] as? [[String: Any]])?.first?["text"] as? String)
    #expect(context.contains(finding.id))
    #expect(message["unfurl_links"] as? Bool == false)
    let section = try #require(blocks[1]["text"] as? [String: Any])
    #expect(section["verbatim"] as? Bool == true, "no links made of URLs or addresses in log values")
  }

  @Test("Slack limits hold for names of combining marks, counted as Slack counts them")
  func slackLimits() throws {
    let zalgo = "Z" + String(repeating: "\u{0301}", count: 5000)
    let finding = SampleFindings.finding(
      description: zalgo, evidence: SampleFindings.evidence(clients: [Tally(name: zalgo, records: 5, reads: 1)]))
    let json = SlackMessage(finding: finding, productVersion: "0.1.0").json.bytes
    let message = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
    let blocks = try #require(message["blocks"] as? [[String: Any]])
    let section = try #require((blocks[1]["text"] as? [String: Any])?["text"] as? String)
    #expect(section.unicodeScalars.count <= 3000)
    let fields = try #require(blocks[1]["fields"] as? [[String: Any]]).compactMap { $0["text"] as? String }
    #expect(fields.allSatisfy { $0.unicodeScalars.count <= 2000 })
    #expect((message["text"] as? String)?.unicodeScalars.count ?? .max <= 3000)
  }

  @Test("500 twice then 200: retried with the same body and key, then delivered")
  func retriesServerErrors() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(answers: ["500", "500"], secret: Self.secret, logIn: directory)
    let events = EventLog()
    let queue = Self.queue(receiver, events: events)
    queue.enqueue(SampleFindings.finding())
    #expect(queue.finish(allowing: 10))
    let requests = try receiver.requests()
    #expect(requests.map(\.answer) == ["500", "500", "200"])
    #expect(Set(requests.map(\.body)).count == 1)
    #expect(Set(requests.compactMap { $0.header("Idempotency-Key") }).count == 1)
    #expect(requests.allSatisfy { $0.signature_valid == true })
    #expect(queue.takeProgress().acknowledged.count == 1)
    #expect(events.all.contains { if case .recovered(_, 2) = $0 { true } else { false } })
  }

  @Test("429 with Retry-After: the next attempt waits as long as asked")
  func honoursRetryAfter() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(answers: ["429:2"], logIn: directory)
    let queue = Self.queue(receiver)
    queue.enqueue(SampleFindings.finding())
    #expect(queue.finish(allowing: 15))
    let requests = try receiver.requests()
    #expect(requests.map(\.answer) == ["429:2", "200"])
    #expect(requests[1].time - requests[0].time >= 1.9)
  }

  @Test("400 is not retried; the messages behind it still go, in order")
  func badRequestNotRetried() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(answers: ["400"], logIn: directory)
    let events = EventLog()
    let queue = Self.queue(receiver, events: events)
    let findings = Self.findings(3)
    for finding in findings { queue.enqueue(finding) }
    #expect(queue.finish(allowing: 10))
    let requests = try receiver.requests()
    #expect(requests.map(\.answer) == ["400", "200", "200"])
    #expect(requests.compactMap { $0.header("Idempotency-Key") } == findings.map { "\($0.id).1" })
    let progress = queue.takeProgress()
    #expect(progress.rejected.map(\.findingID) == [findings[0].id])
    #expect(progress.acknowledged.map(\.findingID) == Array(findings.dropFirst().map(\.id)))
    #expect(events.all.contains { if case .rejected(_, findings[0].id, 1, let reason) = $0 { reason.hasPrefix("HTTP 400") } else { false } })
  }

  @Test("a redirect is not followed: the signed finding goes nowhere else, and is refused")
  func redirectNotFollowed() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(answers: ["307"], logIn: directory)
    let queue = Self.queue(receiver)
    queue.enqueue(SampleFindings.finding())
    #expect(queue.finish(allowing: 10))
    #expect(try receiver.requests().map(\.path) == ["/hooks/exfilwatch"])
    #expect(queue.takeProgress().rejected.count == 1)
  }

  @Test("a message waiting for its retry holds back the later ones: they arrive in order")
  func keepsOrderThroughRetries() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(answers: ["503", "503", "503"], logIn: directory)
    let queue = Self.queue(receiver)
    let findings = Self.findings(5)
    for finding in findings { queue.enqueue(finding) }
    #expect(queue.finish(allowing: 10))
    let delivered = try receiver.requests().filter { $0.answer == "200" }
    #expect(delivered.compactMap { $0.header("Idempotency-Key") } == findings.map { "\($0.id).1" })
  }

  @Test("nothing listening: the attempt fails fast and the message waits")
  func receiverDown() throws {
    let port = try unusedLocalPort()
    let options = WebhookOptions(url: URL(string: "http://127.0.0.1:\(port)/x")!, timeout: 5)
    var sender = WebhookSender(options: options, productVersion: "0.1.0")
    let started = Date()
    let outcome = sender.send(sender.render(SampleFindings.finding()), timeout: 5)
    guard case .retry = outcome else {
      Issue.record("expected a retry, got \(outcome)")
      return
    }
    #expect(Date().timeIntervalSince(started) < 4)
  }

  @Test("HTTPS: a receiver's certificate is verified, against the system's CAs or a given CA file")
  func httpsVerifiesCertificates() throws {
    let directory = try TemporaryDirectory()
    let certificate = directory.path("receiver.pem")
    _ = try runToolChecked("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", certificate, "-out", certificate,
    ])
    let receiver = try WebhookReceiver(secret: Self.secret, tlsCertificate: certificate, logIn: directory)
    let url = try #require(URL(string: receiver.url()))
    #expect(url.scheme == "https")
    let finding = SampleFindings.finding()

    var untrusted = WebhookSender(options: WebhookOptions(url: url, timeout: 5), productVersion: "0.1.0")
    let refused = untrusted.send(untrusted.render(finding), timeout: 5)
    guard case .retry(_, let reason) = refused else {
      Issue.record("expected the self-signed certificate to fail the attempt, got \(refused)")
      return
    }
    #expect(reason.lowercased().contains("certificate"), "\(reason)")
    #expect(try receiver.requests().isEmpty, "nothing is sent over a connection that is not trusted")

    let options = WebhookOptions(url: url, secret: Array(Self.secret.utf8), timeout: 5, caFile: certificate)
    var trusted = WebhookSender(options: options, productVersion: "0.1.0")
    #expect(trusted.send(trusted.render(finding), timeout: 5) == .delivered)
    #expect(try receiver.requests().map(\.signature_valid) == [true])
  }

  @Test("a receiver that accepts and never answers: the end of the run waits only the timeout")
  func hangingReceiver() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(answers: Array(repeating: "hang", count: 20), logIn: directory)
    let queue = Self.queue(receiver, timeout: 1)
    let finding = SampleFindings.finding()
    queue.enqueue(finding)
    receiver.waitForRequestsOrFail(1)
    let started = Date()
    #expect(!queue.finish(allowing: 2.5))
    #expect(Date().timeIntervalSince(started) < 5)
    #expect(queue.takeProgress().waiting.map(\.findingID) == [finding.id])
    // Each attempt gave up after its 1 s, so the queue tried again before the end.
    #expect(try receiver.requests().count >= 2)
  }

  @Test("retry delays double, jitter stays within the step, Retry-After is honoured up to its cap")
  func retryPolicy() {
    let policy = RetryPolicy(initialDelay: 1, maximumDelay: 8, maximumRetryAfter: 60)
    #expect(policy.delay(afterFailures: 1, retryAfter: nil, random: 0) == 0.5)
    #expect(policy.delay(afterFailures: 1, retryAfter: nil, random: 1) == 1)
    #expect(policy.delay(afterFailures: 3, retryAfter: nil, random: 1) == 4)
    #expect(policy.delay(afterFailures: 10, retryAfter: nil, random: 1) == 8)
    #expect(policy.delay(afterFailures: 1000, retryAfter: nil, random: 0.5) == 6)
    #expect(policy.delay(afterFailures: 1, retryAfter: 30, random: 1) == 30)
    #expect(policy.delay(afterFailures: 1, retryAfter: 99_999, random: 1) == 60)
  }

  @Test("Retry-After as seconds or as an HTTP date")
  func retryAfterForms() throws {
    #expect(HTTPSession.retryAfterSeconds("120") == 120)
    let inAMinute = Date().addingTimeInterval(60)
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    let seconds = try #require(HTTPSession.retryAfterSeconds(formatter.string(from: inAMinute)))
    #expect(seconds > 50 && seconds <= 60)
    #expect(HTTPSession.retryAfterSeconds("soon") == nil)
  }
}

/// Delivery events as the queue reported them, from its thread.
final class EventLog: @unchecked Sendable {
  private let lock = NSLock()
  private var events: [DeliveryEvent] = []

  func append(_ event: DeliveryEvent) { lock.withLock { events.append(event) } }
  var all: [DeliveryEvent] { lock.withLock { events } }
}

extension WebhookReceiver {
  func waitForRequestsOrFail(_ count: Int) {
    let seen = (try? waitForRequests(count)) ?? []
    #expect(seen.count >= count, "the receiver got \(seen.count) of \(count) requests")
  }
}
