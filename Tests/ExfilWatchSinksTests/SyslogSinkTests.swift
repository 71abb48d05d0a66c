import ExfilWatchDetector
import ExfilWatchSinks
import ExfilWatchTestSupport
import Foundation
import Glibc
import Testing

/// Checks one received message against the finding it was rendered from: the head's fields,
/// PRI for `facility`, the structured data, and an OCSF MSG naming the finding.
func expectMessage(
  _ bytes: [UInt8], is finding: Finding, facility: Int = 10, renderedBetween start: Date, and end: Date
) throws {
  #expect(!bytes.contains { $0 < 0x20 || $0 == 0x7F }, "no raw control characters")
  let message = try ParsedSyslogMessage(bytes)
  #expect(message.priority == facility * 8 + expectedSyslogSeverity[finding.severity]!)
  #expect(message.timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
  let formatter = ISO8601DateFormatter()
  formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
  let time = try #require(formatter.date(from: message.timestamp))
  #expect(time >= start.addingTimeInterval(-0.001) && time <= end)
  var host = [CChar](repeating: 0, count: 256)
  gethostname(&host, 255)
  #expect(message.hostname == String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
  #expect(message.appName == "exfilwatch")
  #expect(message.processID == String(getpid()))
  #expect(message.messageID == finding.analytic)
  #expect(message.structuredDataID == "exfilwatch@32473")
  #expect(message.parameters == expectedParameters(finding))
  let event = try decodedEvent(try #require(message.message))
  #expect(value(at: "finding_info.uid", in: event) as? String == finding.id)
  #expect(value(at: "metadata.uid", in: event) as? String == "\(finding.id)-\(finding.revision)")
}

let sampleFindings = SampleFindings.varied.map(\.finding) + [awkwardFinding]

@Suite("syslog sink over real sockets")
struct SyslogSinkTests {
  @Test("UDP: each finding is one datagram holding exactly the rendered message")
  func udpDatagrams() throws {
    let (receiver, port) = try TestSocket.loopback(type: SOCK_DGRAM)
    var sender = SyslogSender(options: SyslogOptions(transport: .udp(host: "127.0.0.1", port: port)), productVersion: "0.1.0")
    #expect(sender.destination == "syslog udp://127.0.0.1:\(port)")
    for finding in sampleFindings {
      let start = Date()
      let message = sender.render(finding)
      let end = Date()
      #expect(message.findingID == finding.id && message.revision == finding.revision)
      #expect(sender.send(message, timeout: 5) == .delivered)
      let datagram = try receiver.receive()
      #expect(datagram == message.body)
      try expectMessage(datagram, is: finding, renderedBetween: start, and: end)
    }
  }

  @Test("UDP to a bracketed IPv6 address, filed under the configured facility")
  func udpIPv6() throws {
    let (receiver, port) = try TestSocket.loopback(type: SOCK_DGRAM, family: AF_INET6)
    let options = SyslogOptions(transport: try SyslogTransport(parsing: "udp://[::1]:\(port)"), facility: .local3)
    var sender = SyslogSender(options: options, productVersion: "0.1.0")
    let start = Date()
    let message = sender.render(SampleFindings.finding(severity: .critical))
    #expect(sender.send(message, timeout: 5) == .delivered)
    try expectMessage(try receiver.receive(), is: SampleFindings.finding(severity: .critical), facility: 19, renderedBetween: start, and: Date())
  }

  @Test("UDP: a finding over the size limit arrives with its summary as MSG and its structured data whole")
  func udpOversize() throws {
    let (receiver, port) = try TestSocket.loopback(type: SOCK_DGRAM)
    var options = SyslogOptions(transport: .udp(host: "127.0.0.1", port: port))
    options.maxMessageBytes = 900
    var sender = SyslogSender(options: options, productVersion: "0.1.0")
    #expect(sender.send(sender.render(awkwardFinding), timeout: 5) == .delivered)
    let datagram = try receiver.receive()
    #expect(datagram.count <= 900)
    let message = try ParsedSyslogMessage(datagram)
    #expect(message.parameters == expectedParameters(awkwardFinding))
    #expect(message.message == Array(visibleControls("\(awkwardFinding.title): \(awkwardFinding.description)").utf8))
  }

  @Test("TCP: several messages on one connection, octet counting read exactly")
  func tcpOneConnection() throws {
    let (listener, port) = try TestSocket.loopback(type: SOCK_STREAM)
    var sender = SyslogSender(options: SyslogOptions(transport: .tcp(host: "127.0.0.1", port: port)), productVersion: "0.1.0")
    let start = Date()
    let messages = sampleFindings.map(sender.render)
    let end = Date()
    for message in messages {
      #expect(sender.send(message, timeout: 5) == .delivered)
    }
    var frames = StreamFrames(try listener.accept())
    for (finding, message) in zip(sampleFindings, messages) {
      let frame = try frames.nextOctetCounted()
      #expect(frame == message.body)
      try expectMessage(frame, is: finding, renderedBetween: start, and: end)
    }
    #expect(try !listener.isReadable(within: 0.2), "no second connection")
    #expect(try !frames.connection.isReadable(within: 0.2), "nothing after the last frame")
  }

  @Test("TCP: the receiver closes the connection between two sends; no message is lost")
  func tcpReceiverCloses() throws {
    let (listener, port) = try TestSocket.loopback(type: SOCK_STREAM)
    var sender = SyslogSender(options: SyslogOptions(transport: .tcp(host: "localhost", port: port)), productVersion: "0.1.0")
    let messages = [1, 2, 3].map {
      sender.render(SampleFindings.finding(activity: $0 == 1 ? .create : .update, revision: $0))
    }
    #expect(sender.send(messages[0], timeout: 5) == .delivered)
    var frames = StreamFrames(try listener.accept())
    var received = [try frames.nextOctetCounted()]
    frames.connection.close()

    // Either the sender sees the connection is gone and sends on a new one, or it reports a
    // retry and the retry goes through; never delivered-and-lost.
    let outcome = sender.send(messages[1], timeout: 5)
    if outcome != .delivered {
      guard case .retry = outcome else {
        Issue.record("expected delivered or retry, got \(outcome)")
        return
      }
      #expect(sender.send(messages[1], timeout: 5) == .delivered)
    }
    #expect(sender.send(messages[2], timeout: 5) == .delivered)
    frames = StreamFrames(try listener.accept())
    received += [try frames.nextOctetCounted(), try frames.nextOctetCounted()]
    #expect(received == messages.map(\.body))
    #expect(try !listener.isReadable(within: 0.2), "one new connection for both")
  }

  @Test("TCP: a refused connection is a retry, at once, naming the address")
  func tcpRefused() throws {
    // A port taken by a UDP socket: no TCP listener there, so connections are refused.
    let (reserved, port) = try TestSocket.loopback(type: SOCK_DGRAM)
    var sender = SyslogSender(options: SyslogOptions(transport: .tcp(host: "127.0.0.1", port: port)), productVersion: "0.1.0")
    let start = Date()
    let outcome = withExtendedLifetime(reserved) { sender.send(sender.render(SampleFindings.finding()), timeout: 30) }
    #expect(Date().timeIntervalSince(start) < 5)
    #expect(outcome == .retry(after: nil, reason: "connect to 127.0.0.1:\(port): Connection refused"))
  }

  @Test("TCP: a receiver that stops reading makes the send give up at its timeout")
  func tcpWriteTimeout() throws {
    let (listener, port) = try TestSocket.loopback(type: SOCK_STREAM)
    var sender = SyslogSender(options: SyslogOptions(transport: .tcp(host: "127.0.0.1", port: port)), productVersion: "0.1.0")
    let huge = OutgoingMessage(finding: SampleFindings.finding(), body: [UInt8](repeating: 0x41, count: 64 << 20))
    let start = Date()
    let outcome = withExtendedLifetime(listener) { sender.send(huge, timeout: 1) }
    #expect(Date().timeIntervalSince(start) < 5)
    guard case .retry(nil, let reason) = outcome else {
      Issue.record("expected a retry, got \(outcome)")
      return
    }
    #expect(reason == "send to 127.0.0.1:\(port): timed out after 1.0s")
  }

  @Test("unix datagram socket: the message arrives as one datagram")
  func unixDatagram() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("log")
    let receiver = try TestSocket.unix(path: path, type: SOCK_DGRAM)
    var sender = SyslogSender(options: SyslogOptions(transport: .unix(path: path)), productVersion: "0.1.0")
    #expect(sender.destination == "syslog unix://\(path)")
    let start = Date()
    let message = sender.render(SampleFindings.finding())
    #expect(sender.send(message, timeout: 5) == .delivered)
    let datagram = try receiver.receive()
    #expect(datagram == message.body)
    try expectMessage(datagram, is: SampleFindings.finding(), renderedBetween: start, and: Date())
  }

  @Test("unix stream socket: messages end with a NUL byte, as glibc's syslog(3) sends them")
  func unixStream() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("log")
    let listener = try TestSocket.unix(path: path, type: SOCK_STREAM)
    var sender = SyslogSender(options: SyslogOptions(transport: .unix(path: path)), productVersion: "0.1.0")
    let messages = sampleFindings.prefix(3).map(sender.render)
    for message in messages {
      #expect(sender.send(message, timeout: 5) == .delivered)
    }
    var frames = StreamFrames(try listener.accept())
    for message in messages {
      #expect(try frames.nextNULTerminated() == message.body)
    }
  }

  @Test("unix: no socket at the path is a retry that says so")
  func unixMissing() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("no-such-log")
    var sender = SyslogSender(options: SyslogOptions(transport: .unix(path: path)), productVersion: "0.1.0")
    let outcome = sender.send(sender.render(SampleFindings.finding()), timeout: 5)
    #expect(outcome == .retry(after: nil, reason: "connect to \(path): No such file or directory (no syslog daemon listens there)"))
  }
}
