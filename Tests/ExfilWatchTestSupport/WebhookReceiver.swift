import Foundation

/// A real HTTP server on 127.0.0.1 (`Receivers/webhook_receiver.py`, Python's http.server) that
/// answers webhook requests as a test scripts it and records each one, checking its signature
/// as a receiver would.
public final class WebhookReceiver {
  /// One request as the receiver saw it.
  public struct Request: Decodable {
    /// Unix seconds of arrival.
    public var time: Double
    public var path: String
    public var headers: [String: String]
    public var body: String
    /// Whether `X-ExfilWatch-Signature` holds for the receiver's secret; `nil` without one.
    public var signature_valid: Bool?
    /// What the receiver answered (`200`, `500`, `429:1`, `hang`).
    public var answer: String

    /// A header by name, whatever its case.
    public func header(_ name: String) -> String? {
      headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    public var json: [String: Any]? {
      (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }
  }

  public let port: Int
  private let scheme: String
  private let process: Process
  private let logPath: String

  /// Starts the receiver and waits until it listens.
  ///
  /// - Parameters:
  ///   - answers: The answers to the first requests, in order (`500`, `429:1`, `400`, `hang`);
  ///     200 after them.
  ///   - port: 0 for any free port.
  ///   - tlsCertificate: A PEM file with certificate and key: serve HTTPS.
  public init(
    answers: [String] = [], secret: String? = nil, port: Int = 0, tlsCertificate: String? = nil,
    logIn directory: TemporaryDirectory
  ) throws {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Receivers/webhook_receiver.py").path
    logPath = directory.path("webhook-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      ["python3", script, "--port", String(port), "--answers", answers.joined(separator: ","), "--log", logPath]
      + (secret.map { ["--secret", $0] } ?? []) + (tlsCertificate.map { ["--tls-cert", $0] } ?? [])
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    try? output.fileHandleForWriting.close()
    var line: [UInt8] = []
    while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") {
      line.append(byte)
    }
    guard let listening = Int(String(decoding: line, as: UTF8.self)) else {
      process.terminate()
      throw ToolError(description: "the webhook receiver did not start (is python3 installed?)")
    }
    self.port = listening
    scheme = tlsCertificate == nil ? "http" : "https"
  }

  /// `http://127.0.0.1:PORT/path` (`https` when serving TLS).
  public func url(_ path: String = "/hooks/exfilwatch") -> String {
    "\(scheme)://127.0.0.1:\(port)\(path)"
  }

  /// Every request so far, in arrival order.
  public func requests() throws -> [Request] {
    let text = try String(contentsOfFile: logPath, encoding: .utf8)
    return try text.split(separator: "\n").map { try JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
  }

  /// Waits up to `seconds` for at least `count` requests.
  @discardableResult
  public func waitForRequests(_ count: Int, seconds: Double = 20) throws -> [Request] {
    let deadline = Date().addingTimeInterval(seconds)
    var seen = try requests()
    while seen.count < count && Date() < deadline {
      usleep(50_000)
      seen = try requests()
    }
    return seen
  }

  /// Kills the receiver (SIGKILL: a test runner may start children with SIGTERM blocked).
  public func stop() {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  deinit {
    stop()
  }
}

/// A TCP port on 127.0.0.1 with nothing listening (bound once by the kernel's choice, then
/// released), for a receiver that is down.
public func unusedLocalPort() throws -> Int {
  let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(socket) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
    }
  }
  guard bound else { throw ToolError(description: "cannot find a free port: errno \(errno)") }
  return Int(UInt16(bigEndian: address.sin_port))
}
