import ExfilWatchTestSupport
import Foundation
import Glibc
import Testing

/// `exfilwatch replay` and `scan` delivering to real syslog receivers on 127.0.0.1 (sockets the
/// test binds before the run; the kernel queues what arrives, so the test reads it afterwards)
/// next to a jsonl file: what arrives, framed and formatted how, and what happens when the
/// receiver is down.
@Suite(.serialized) struct SyslogDeliveryTests {
  static let week = ScanStateTests.week

  /// What the jsonl sink wrote of one finding message: the id, the revision and the RFC 5424
  /// severity the syslog message must carry.
  struct ExpectedMessage: Equatable, CustomStringConvertible {
    var id: String
    var revision: Int
    var severity: Int

    var description: String { "\(id).\(revision)" }
  }

  /// The RFC 5424 severity of each finding severity: Critical `crit`, High `err`, Medium
  /// `warning`, Low `notice`.
  static let syslogSeverity = ["Critical": 2, "High": 3, "Medium": 4, "Low": 5]

  /// The findings of a jsonl sink, in order, as the syslog messages must carry them.
  static func expectedMessages(_ path: String) throws -> [ExpectedMessage] {
    try ReplayCommandTests.findings(path).map { finding in
      let info = try #require(finding["finding_info"] as? [String: Any])
      let severity = try #require(finding["severity"] as? String)
      return ExpectedMessage(
        id: try #require(info["uid"] as? String),
        revision: try #require(ReplayCommandTests.exfilwatch(finding)["revision"] as? Int),
        severity: try #require(syslogSeverity[severity], "severity \(severity)"))
    }
  }

  /// Every datagram queued on `socket`, once the sender has finished.
  static func datagrams(_ socket: TestSocket) throws -> [[UInt8]] {
    var datagrams: [[UInt8]] = []
    while try socket.isReadable(within: 0.5) {
      datagrams.append(try socket.receive())
    }
    return datagrams
  }

  /// Every octet-counted frame sent to `listener` by a sender that has finished: the
  /// connections in its backlog, each read to its end, in the order they were made.
  static func frames(_ listener: TestSocket) throws -> (connections: Int, messages: [[UInt8]]) {
    var connections = 0
    var messages: [[UInt8]] = []
    while try listener.isReadable(within: 0.5) {
      var frames = StreamFrames(try listener.accept())
      connections += 1
      while try !frames.isAtEnd() {
        messages.append(try frames.nextOctetCounted())
      }
    }
    return (connections, messages)
  }

  /// Writes `yaml` as the config file and returns its path.
  static func config(in directory: TemporaryDirectory, _ yaml: String) throws -> String {
    try directory.write("exfilwatch.yaml", Array(yaml.utf8))
  }

  @Test("replay to UDP and TCP receivers: each gets the jsonl sink's findings, in order, as RFC 5424 with OCSF")
  func replayToUDPAndTCP() throws {
    let directory = try TemporaryDirectory()
    let (udp, udpPort) = try TestSocket.loopback(type: SOCK_DGRAM)
    let (tcp, tcpPort) = try TestSocket.loopback(type: SOCK_STREAM)
    let jsonl = directory.path("findings.jsonl")
    let result = try runTool(
      exfilwatchExecutable,
      [
        "replay", "--quiet", "--sink", "syslog:udp://127.0.0.1:\(udpPort)",
        "--sink", "syslog:tcp://127.0.0.1:\(tcpPort)", "--sink", "jsonl:\(jsonl)", Self.week,
      ])
    #expect(result.status == 1, "\(result.standardError)")
    let expected = try Self.expectedMessages(jsonl)
    #expect(!expected.isEmpty)
    let written = try ReplayCommandTests.findings(jsonl).map { $0 as NSDictionary }

    let datagrams = try Self.datagrams(udp)
    let (connections, frames) = try Self.frames(tcp)
    #expect(connections == 1, "one TCP connection is kept for every message")
    for (transport, messages) in [("udp", datagrams), ("tcp", frames)] {
      #expect(messages.count == expected.count, "\(transport)")
      var received: [ExpectedMessage] = []
      for (index, bytes) in messages.enumerated() {
        let message = try ParsedSyslogMessage(bytes)
        #expect(message.structuredDataID == "exfilwatch@32473")
        #expect(message.appName == "exfilwatch")
        #expect(Int(message.processID) != nil, "PROCID is the process id")
        let id = try #require(message.parameters["finding_id"])
        let revision = try #require(message.parameters["revision"].flatMap { Int($0) })
        // PRI is authpriv (10) with the finding's severity.
        #expect(message.priority / 8 == 10, "\(transport) \(id).\(revision): PRI \(message.priority)")
        received.append(ExpectedMessage(id: id, revision: revision, severity: message.priority % 8))

        let body = try #require(message.message, "\(transport): a message without MSG")
        let ocsf = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(ocsf["class_uid"] as? Int == 2004)
        #expect((ocsf["finding_info"] as? [String: Any])?["uid"] as? String == id)
        #expect(ReplayCommandTests.exfilwatch(ocsf)["revision"] as? Int == revision)
        if index < written.count {
          #expect(ocsf as NSDictionary == written[index], "\(transport): MSG is the finding the jsonl sink wrote")
        }
      }
      #expect(received == expected, "\(transport)")
    }
  }

  @Test("a config file's syslog sink with format cef, facility local4: CEF naming each finding, PRI of local4")
  func configuredCEFOverTCP() throws {
    let directory = try TemporaryDirectory()
    let (tcp, port) = try TestSocket.loopback(type: SOCK_STREAM)
    let jsonl = directory.path("findings.jsonl")
    let config = try Self.config(
      in: directory,
      """
      sinks:
        - syslog: tcp://127.0.0.1:\(port)
          format: cef
          facility: local4
        - jsonl: \(jsonl)
      """)
    let result = try runTool(exfilwatchExecutable, ["replay", "--quiet", "--config", config, Self.week])
    #expect(result.status == 1, "\(result.standardError)")
    let expected = try Self.expectedMessages(jsonl)
    #expect(!expected.isEmpty)

    let (_, frames) = try Self.frames(tcp)
    var received: [ExpectedMessage] = []
    for bytes in frames {
      let message = try ParsedSyslogMessage(bytes)
      #expect(message.priority / 8 == 20, "local4: PRI \(message.priority)")
      let body = try #require(message.message.flatMap { String(validating: $0, as: UTF8.self) })
      let cef = try ParsedCEF(body)
      #expect(cef.header[0] == "CEF:0")
      #expect(cef.header[1] == "ExfilWatch")
      let id = try #require(cef.extensions["externalId"])
      #expect(message.parameters["finding_id"] == id, "the structured data names the same finding")
      let revision = try #require(cef.extensions["cn2"].flatMap { Int($0) })
      #expect(cef.extensions["cn2Label"] == "revision")
      received.append(ExpectedMessage(id: id, revision: revision, severity: message.priority % 8))
    }
    #expect(received == expected)
  }

  @Test("scan with the TCP receiver down: exit 5, spooled; next scan delivers each once, in order; then nothing")
  func spoolSurvivesAnOutage() throws {
    let directory = try TemporaryDirectory()
    let port = try unusedLocalPort()
    let jsonl = directory.path("findings.jsonl")
    let config = try Self.config(
      in: directory,
      """
      sinks:
        - syslog: tcp://127.0.0.1:\(port)
          name: siem
          timeout: 1s
        - jsonl: \(jsonl)
      """)
    let state = directory.path("scan.state")
    let arguments = ["scan", "--state", state, "--config", config, Self.week]

    let started = Date()
    let down = try runTool(exfilwatchExecutable, arguments)
    let elapsed = Date().timeIntervalSince(started)
    #expect(down.status == 5, "\(down.standardError)")
    #expect(down.standardError.contains("kept in the spool of \(state)"), "\(down.standardError)")
    #expect(elapsed < 60, "a refusing receiver held the run for \(elapsed) s")
    // The receiver being down held up nothing else: the file has every finding.
    let expected = try Self.expectedMessages(jsonl)
    #expect(!expected.isEmpty)

    let (listener, bound) = try TestSocket.loopback(type: SOCK_STREAM, port: UInt16(port))
    #expect(Int(bound) == port)
    let up = try runTool(exfilwatchExecutable, arguments)
    #expect(up.status == 0, "\(up.standardError)")
    let (_, frames) = try Self.frames(listener)
    var received: [ExpectedMessage] = []
    for bytes in frames {
      let message = try ParsedSyslogMessage(bytes)
      let id = try #require(message.parameters["finding_id"])
      let revision = try #require(message.parameters["revision"].flatMap { Int($0) })
      #expect(message.priority / 8 == 10)
      received.append(ExpectedMessage(id: id, revision: revision, severity: message.priority % 8))
    }
    #expect(received == expected, "the spool, whole, once, in order")
    #expect(try Self.expectedMessages(jsonl) == expected, "the file got nothing twice")

    let after = try runTool(exfilwatchExecutable, arguments)
    #expect(after.status == 0, "\(after.standardError)")
    #expect(try !listener.isReadable(within: 1), "nothing is sent twice: no new connection")
    #expect(try Self.expectedMessages(jsonl) == expected)
  }

  @Test("a syslog sink without a port is refused before the run: exit 2, naming the problem")
  func missingPort() throws {
    let result = try runTool(exfilwatchExecutable, ["replay", "--sink", "syslog:udp://siem", Self.week])
    #expect(result.status == 2)
    #expect(result.standardError.contains("syslog:udp://siem"), "\(result.standardError)")
    #expect(result.standardError.contains("no port"), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
  }
}
