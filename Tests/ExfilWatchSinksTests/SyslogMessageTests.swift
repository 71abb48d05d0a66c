import ExfilWatchDetector
import ExfilWatchSinks
import ExfilWatchTestSupport
import Foundation
import Testing

/// A finding whose values from the logs hold every character the syslog and CEF encoders must
/// escape: quotes, `]`, `\`, `|`, `=`, newlines and a terminal escape.
let awkwardFinding = SampleFindings.finding(
  description: "Actor \"x\" read\nmany \\ records = 5 | more",
  tenant: "org]\"x\\y",
  evidence: SampleFindings.evidence(
    actors: [Tally(name: "q\"uote]brack\\slash\nline", records: 600_000, reads: 590)],
    clients: [Tally(name: "Data=Loader\r\n|pipe\u{1B}[2J", records: 612_000, reads: 612)]))

/// The RFC 5424 severity each finding severity must be sent with.
let expectedSyslogSeverity: [Finding.Severity: Int] = [.critical: 2, .high: 3, .medium: 4, .low: 5]

/// The structured data a finding must carry, worked out here from the finding (not with the
/// encoder's code). Control characters are expected as visible escapes.
func expectedParameters(_ finding: Finding) -> [String: String] {
  let evidence = finding.evidence
  let placeholders = [Tally.otherName, Tally.noneName]
  func isAddress(_ name: String) -> Bool {
    name.contains(where: \.isNumber) && name.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
  }
  var expected = [
    "finding_id": finding.id,
    "revision": String(finding.revision),
    "activity": ["create", "update", "close"][finding.activity.rawValue - 1],
    "severity": finding.severity.name,
    "dimension": evidence.dimension,
    "key": evidence.key,
    "horizon": evidence.horizon,
    "start": rfc3339(evidence.windowStart),
    "end": rfc3339(evidence.windowEnd),
    "metric": evidence.metric.rawValue,
    "records": String(evidence.records),
    "baseline": String(format: "%.2f", evidence.baselineRecords),
    "score": String(format: "%.2f", evidence.score),
  ]
  expected["tenant"] = finding.tenant
  expected["actor"] = evidence.actors.first { !placeholders.contains($0.name) }?.name
  expected["client"] = evidence.clients.first { !placeholders.contains($0.name) }?.name
  expected["source_ip"] = evidence.sourceIPs.first { isAddress($0.name) }?.name
  return expected.mapValues(visibleControls)
}

/// Newlines, carriage returns and escapes as the visible escapes the encoders write for them.
func visibleControls(_ text: String) -> String {
  text.replacingOccurrences(of: "\r\n", with: "\\r\\n").replacingOccurrences(of: "\n", with: "\\n")
    .replacingOccurrences(of: "\u{1B}", with: "\\u{1B}")
}

/// `2025-07-04T21:10:00.000Z`.
func rfc3339(_ milliseconds: Int64) -> String {
  let formatter = ISO8601DateFormatter()
  formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
  return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
}

/// An encoder with a fixed host and process, as tests compare whole messages.
func fixedEncoder(_ configure: (inout SyslogOptions) -> Void = { _ in }) -> SyslogFindingEncoder {
  var options = SyslogOptions(transport: .udp(host: "127.0.0.1", port: 514))
  configure(&options)
  return SyslogFindingEncoder(options: options, productVersion: "0.1.0", hostname: "ingest-01", processID: 4121)
}

let renderTime: Int64 = 1_751_663_761_482

@Suite("syslog message and CEF encoding")
struct SyslogMessageTests {
  @Test("the head of a finding's message, byte for byte")
  func wholeHead() throws {
    let bytes = fixedEncoder().encode(SampleFindings.finding(), at: renderTime)
    let text = try #require(String(validating: bytes, as: UTF8.self))
    let expected = [
      "<83>1 2025-07-04T21:16:01.482Z ingest-01 exfilwatch 4121 bulk_read_by_client",
      " [exfilwatch@32473 finding_id=\"exw-1f3a9c0e2b7d4e51\" revision=\"1\" activity=\"create\"",
      " severity=\"High\" dimension=\"client\" key=\"Data Loader\" horizon=\"5m\"",
      " start=\"2025-07-04T21:10:00.000Z\" end=\"2025-07-04T21:15:00.000Z\" metric=\"records\"",
      " records=\"612000\" baseline=\"340.20\" score=\"14.23\" tenant=\"00D5g000004XyZ1\"",
      " actor=\"svc.sync@acme.example\" client=\"Data Loader\" source_ip=\"203.0.113.7\"]",
      " {\"class_uid\":2004,",
    ].joined()
    #expect(text.hasPrefix(expected))
  }

  @Test(
    "PRI is facility × 8 + the finding's severity",
    arguments: [SyslogFacility.kern, .user, .daemon, .auth, .authpriv, .local0, .local7],
    Finding.Severity.allCases)
  func priority(facility: SyslogFacility, severity: Finding.Severity) throws {
    let encoder = fixedEncoder { $0.facility = facility }
    let message = try ParsedSyslogMessage(encoder.encode(SampleFindings.finding(severity: severity), at: renderTime))
    let facilityCode = ["kern": 0, "user": 1, "daemon": 3, "auth": 4, "authpriv": 10, "local0": 16, "local7": 23]
    let code = try #require(facilityCode[facility.name])
    #expect(message.priority == code * 8 + expectedSyslogSeverity[severity]!)
  }

  @Test("values from the logs are escaped in PARAM-VALUEs and cannot break the frame", arguments:
    SampleFindings.varied.filter { $0.label == "text that needs escaping" }.map(\.finding) + [awkwardFinding])
  func structuredDataEscaping(finding: Finding) throws {
    let bytes = fixedEncoder().encode(finding, at: renderTime)
    #expect(!bytes.contains { $0 < 0x20 || $0 == 0x7F }, "no raw control characters anywhere")
    let message = try ParsedSyslogMessage(bytes)
    #expect(message.structuredDataID == "exfilwatch@32473")
    #expect(message.parameters == expectedParameters(finding))
    let event = try decodedEvent(try #require(message.message))
    #expect(value(at: "finding_info.uid", in: event) as? String == finding.id)
  }

  @Test("the escapes are RFC 5424's own: \\\" \\\\ \\] and no other backslash sequence")
  func escapesOnTheWire() throws {
    let message = try ParsedSyslogMessage(fixedEncoder().encode(awkwardFinding, at: renderTime))
    #expect(message.rawParameters["actor"] == #"q\"uote\]brack\\slash\\nline"#)
    #expect(message.rawParameters["tenant"] == #"org\]\"x\\y"#)
    #expect(message.parameters["actor"] == "q\"uote]brack\\slash\\nline")
  }

  @Test("header fields keep to printable ASCII and their RFC lengths; a bad host name is '-'")
  func headerFields() throws {
    let analytic = "bulk read by client with a name far longer than thirty-two characters"
    var finding = SampleFindings.finding()
    finding.analytic = analytic
    var options = SyslogOptions(transport: .unix(path: "/dev/log"))
    options.appName = "exfil watch\u{7F}" + String(repeating: "x", count: 60)
    let encoder = SyslogFindingEncoder(options: options, productVersion: "0.1.0", hostname: "bad host", processID: 7)
    let message = try ParsedSyslogMessage(encoder.encode(finding, at: renderTime))
    #expect(message.hostname == "-")
    #expect(message.appName == "exfil_watch_" + String(repeating: "x", count: 36))
    #expect(message.processID == "7")
    #expect(message.messageID == "bulk_read_by_client_with_a_name_")
    let noHost = SyslogFindingEncoder(options: options, productVersion: "0.1.0", hostname: nil, processID: 7)
    #expect(try ParsedSyslogMessage(noHost.encode(finding, at: renderTime)).hostname == "-")
  }

  @Test("a message over the limit carries title and description instead of JSON, and keeps its structured data")
  func oversizeMessage() throws {
    let finding = SampleFindings.finding()
    let full = fixedEncoder().encode(finding, at: renderTime)
    let small = fixedEncoder { $0.maxMessageBytes = 1024 }.encode(finding, at: renderTime)
    #expect(full.count > 1024)
    #expect(small.count <= 1024)
    let message = try ParsedSyslogMessage(small)
    #expect(message.parameters == expectedParameters(finding))
    #expect(message.message == Array("\(finding.title): \(finding.description)".utf8))
  }

  @Test("a summary that does not fit either is cut between characters; with no room there is no MSG")
  func oversizeSummary() throws {
    let finding = SampleFindings.finding(description: String(repeating: "Überweisung 📤 ", count: 80))
    let headOnly = fixedEncoder { $0.maxMessageBytes = 10 }.encode(finding, at: renderTime)
    let parsedHead = try ParsedSyslogMessage(headOnly)
    #expect(parsedHead.message == nil)
    #expect(parsedHead.parameters == expectedParameters(finding))
    let summary = "\(finding.title): \(finding.description)"
    // The title and ": " take 51 bytes; then come a 2-byte Ü and, 11 bytes on, a 4-byte 📤.
    for room in 45...75 {
      let limit = headOnly.count + 1 + room
      let bytes = fixedEncoder { $0.maxMessageBytes = limit }.encode(finding, at: renderTime)
      #expect(bytes.count <= limit)
      let message = try #require(try ParsedSyslogMessage(bytes).message)
      #expect(message.count > room - 4)
      let text = try #require(String(validating: message, as: UTF8.self), "cut inside a character")
      #expect(summary.hasPrefix(text))
    }
  }

  @Test("CEF: header fields, severity and extension values, unescaped, are the finding's")
  func cefLine() throws {
    let cef = try ParsedCEF(CEFFindingEncoder(productVersion: "0.1.0").encode(awkwardFinding))
    #expect(cef.header == [
      "CEF:0", "ExfilWatch", "ExfilWatch", "0.1.0", "bulk_read_by_client",
      "Bulk record reads far above the client's baseline", "8",
    ])
    #expect(cef.extensions == [
      "rt": "1751663760000", "start": "1751663401250", "end": "1751663699999",
      "suser": "q\"uote]brack\\slash\nline", "src": "203.0.113.7",
      "requestClientApplication": "Data=Loader\r\n|pipe\\u{1B}[2J", "cnt": "612000",
      "externalId": "exw-1f3a9c0e2b7d4e51", "cn2Label": "revision", "cn2": "1",
      "cs3Label": "key", "cs3": "client=Data Loader", "cs1Label": "object", "cs1": "Contact",
      "cs2Label": "tenant", "cs2": "org]\"x\\y", "cn1Label": "baselineRecords", "cn1": "340",
      "cfp1Label": "score", "cfp1": "14.23", "msg": "Actor \"x\" read\nmany \\ records = 5 | more",
    ])
  }

  @Test("CEF: severities 3, 5, 8, 10; header text escaped and cut to ArcSight's lengths")
  func cefHeader() throws {
    for (severity, number) in [(Finding.Severity.low, "3"), (.medium, "5"), (.high, "8"), (.critical, "10")] {
      let line = CEFFindingEncoder(productVersion: "1").encode(SampleFindings.finding(severity: severity))
      #expect(try ParsedCEF(line).header[6] == number)
    }
    var finding = SampleFindings.finding()
    finding.title = "a|b\\c" + String(repeating: "t", count: 600)
    let version = "1.0|beta\\" + String(repeating: "9", count: 40)
    let header = try ParsedCEF(CEFFindingEncoder(productVersion: version).encode(finding)).header
    #expect(header[3] == String(version.prefix(31)))
    #expect(header[5] == String(finding.title.prefix(512)))
    finding.title = "line\nbreak"
    let line = CEFFindingEncoder(productVersion: version).encode(finding)
    #expect(!line.contains("\n"))
    #expect(try ParsedCEF(line).header[5] == "line\\nbreak")
  }

  @Test("format cef: the syslog MSG is the CEF line, after the same head")
  func cefInSyslog() throws {
    let bytes = fixedEncoder { $0.format = .cef }.encode(SampleFindings.finding(), at: renderTime)
    let message = try ParsedSyslogMessage(bytes)
    #expect(message.parameters == expectedParameters(SampleFindings.finding()))
    let body = try #require(message.message)
    let line = try #require(String(validating: body, as: UTF8.self))
    #expect(line == CEFFindingEncoder(productVersion: "0.1.0").encode(SampleFindings.finding()))
    #expect(try ParsedCEF(line).extensions["externalId"] == "exw-1f3a9c0e2b7d4e51")
  }
}
