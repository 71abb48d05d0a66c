import ExfilWatchDetector
import ExfilWatchSinks
import Foundation
import Testing

@Suite("OCSF Detection Finding encoding")
struct OCSFDetectionFindingEncoderTests {
  let encoder = OCSFDetectionFindingEncoder(productVersion: "0.1.0")

  @Test("every shape of finding is a valid OCSF 1.8.0 Detection Finding", arguments: SampleFindings.varied)
  func validAgainstSchema(sample: SampleFinding) throws {
    let violations = try bundledValidator.get().validate(jsonLine: encoder.encode(sample.finding))
    #expect(violations.isEmpty, "\(violations.map(\.description).joined(separator: "\n"))")
  }

  @Test("one line of JSON without a newline, the same bytes every time", arguments: SampleFindings.varied)
  func deterministicSingleLine(sample: SampleFinding) throws {
    let line = encoder.encode(sample.finding)
    #expect(!line.contains(UInt8(ascii: "\n")))
    #expect(line.first == UInt8(ascii: "{") && line.last == UInt8(ascii: "}"))
    #expect(OCSFDetectionFindingEncoder(productVersion: "0.1.0").encode(sample.finding) == line)
    #expect(try decodedEvent(line)["message"] as? String == sample.finding.description)
  }

  @Test("the incident lifecycle maps onto activity, type, status and the alert flag", arguments: [
    (Finding.Activity.create, 200401, 1, "New", true),
    (.update, 200402, 2, "In Progress", true),
    (.close, 200403, 4, "Resolved", false),
  ])
  func lifecycle(
    activity: Finding.Activity, typeUID: Int, statusID: Int, status: String, isAlert: Bool
  ) throws {
    let event = try decodedEvent(encoder.encode(SampleFindings.finding(activity: activity)))
    #expect(event["activity_id"] as? Int == activity.rawValue)
    #expect(event["type_uid"] as? Int == typeUID)
    #expect(event["status_id"] as? Int == statusID)
    #expect(event["status"] as? String == status)
    #expect(event["is_alert"] as? Bool == isAlert)
  }

  @Test("severity is the finding's, with its caption", arguments: Finding.Severity.allCases)
  func severity(severity: Finding.Severity) throws {
    let event = try decodedEvent(encoder.encode(SampleFindings.finding(severity: severity)))
    #expect(event["severity_id"] as? Int == severity.rawValue)
    #expect(event["severity"] as? String == severity.name)
  }

  @Test("confidence is High from score 6, Medium from 4, else Low", arguments: [
    (9.0, 3, "High"), (6.0, 3, "High"), (5.99, 2, "Medium"), (4.0, 2, "Medium"), (3.99, 1, "Low"),
  ])
  func confidence(score: Double, confidenceID: Int, caption: String) throws {
    let finding = SampleFindings.finding(evidence: SampleFindings.evidence(score: score))
    let event = try decodedEvent(encoder.encode(finding))
    #expect(event["confidence_id"] as? Int == confidenceID)
    #expect(event["confidence"] as? String == caption)
  }

  @Test("the example finding carries who, what and how much where a SOC looks for them")
  func exampleMapping() throws {
    let event = try decodedEvent(encoder.encode(SampleFindings.finding()))
    let expected: [(String, Any)] = [
      ("time", 1_751_663_760_000), ("start_time", 1_751_663_401_250), ("end_time", 1_751_663_699_999),
      ("count", 612),
      ("message", "Client Data Loader read 612,000 records in 5m (typical 340, 1800x)"),
      ("metadata.uid", "exw-1f3a9c0e2b7d4e51-1"), ("metadata.product.version", "0.1.0"),
      ("metadata.log_name", "exfilwatch.sf-rtem"), ("metadata.tenant_uid", "00D5g000004XyZ1"),
      ("finding_info.uid", "exw-1f3a9c0e2b7d4e51"), ("finding_info.analytic.name", "bulk_read_by_client"),
      ("finding_info.analytic.uid", "exfilwatch:bulk_read_by_client"),
      ("finding_info.attacks.0.technique.uid", "T1213"), ("finding_info.attacks.0.tactic.uid", "TA0009"),
      ("evidences.0.actor.user.name", "svc.sync@acme.example"),
      ("evidences.0.actor.user.uid", "0055g00000AbCdE"), ("evidences.0.actor.app_name", "Data Loader"),
      ("evidences.0.src_endpoint.ip", "203.0.113.7"),
      ("resources.0.name", "Contact"), ("resources.1.name", "Account"),
      ("anomaly_analyses.0.analysis_targets.0.name", "client=Data Loader"),
      ("anomaly_analyses.0.anomalies.0.observation_parameter", "records_read"),
      ("anomaly_analyses.0.anomalies.0.observation_type", "sum per 5m window"),
      ("anomaly_analyses.0.anomalies.0.observations.0.value", "612000"),
      ("anomaly_analyses.0.anomalies.0.observations.0.timespan.duration", 300_000),
      ("anomaly_analyses.0.baselines.0.observations.0.value", "340.2"),
    ]
    for (path, expectedValue) in expected {
      #expect(canonicalJSON(value(at: path, in: event)) == canonicalJSON(expectedValue), "\(path)")
    }
    let observables = try #require(event["observables"] as? [[String: Any]])
    #expect(observables.map { $0["value"] as? String } == [
      "svc.sync@acme.example", "agent7@acme.example", "203.0.113.7", "198.51.100.23", "Data Loader",
    ])
    #expect(observables.map { $0["type_id"] as? Int } == [4, 4, 2, 2, 99])
    #expect(observables.map { $0["name"] as? String } == [
      "evidences.actor.user.name", nil, "evidences.src_endpoint.ip", nil,
      "evidences.actor.app_name",
    ])
  }

  @Test("read events crossing name their own parameter and numbers")
  func readsMetric() throws {
    let finding = SampleFindings.finding(evidence: SampleFindings.evidence(metric: .reads))
    let event = try decodedEvent(encoder.encode(finding))
    let anomaly = try #require(value(at: "anomaly_analyses.0.anomalies.0", in: event) as? [String: Any])
    #expect(anomaly["observation_parameter"] as? String == "read_events")
    #expect(value(at: "observations.0.value", in: anomaly) as? String == "612")
    #expect(value(at: "anomaly_analyses.0.baselines.0.observations.0.value", in: event) as? String == "3.5")
  }

  @Test("placeholders never become evidence, resources or observables")
  func placeholders() throws {
    let finding = try SampleFindings.named("placeholder tallies only")
    let event = try decodedEvent(encoder.encode(finding))
    #expect(event["evidences"] == nil && event["resources"] == nil && event["observables"] == nil)
    #expect((value(at: "unmapped.exfilwatch.source_ips", in: event) as? [Any])?.count == 2)
  }

  @Test("the evidence's IP is the first real address; markers stay in unmapped")
  func firstRealAddress() throws {
    let finding = try SampleFindings.named("an (other) tail after real values")
    let event = try decodedEvent(encoder.encode(finding))
    #expect(value(at: "evidences.0.src_endpoint.ip", in: event) as? String == "203.0.113.7")
    let observables = event["observables"] as? [[String: Any]] ?? []
    let ipObservables = observables.filter { $0["type_id"] as? Int == 2 }
    #expect(ipObservables.map { $0["value"] as? String } == ["203.0.113.7"])
    #expect(value(at: "unmapped.exfilwatch.source_ips.0.name", in: event) as? String == "Salesforce.com IP")
    #expect((event["resources"] as? [Any])?.count == 1)
  }

  @Test("unmapped.exfilwatch holds the rest of the evidence")
  func unmappedEvidence() throws {
    let finding = SampleFindings.finding(revision: 4)
    let event = try decodedEvent(encoder.encode(finding))
    let unmapped = try #require(value(at: "unmapped.exfilwatch", in: event) as? [String: Any])
    let evidence = finding.evidence
    let expected: [(String, Any)] = [
      ("revision", 4), ("horizon", "5m"), ("dimension", "client"), ("key", "Data Loader"),
      ("window_start", evidence.windowStart), ("window_end", evidence.windowEnd), ("metric", "records"),
      ("records", 612_000), ("reads", 612), ("baseline_records", 340.2), ("baseline_reads", 3.5),
      ("score", 14.23), ("multiple", 1800.4), ("judged_against_peers", false),
      ("first_event_time", evidence.firstEventTime), ("last_event_time", evidence.lastEventTime),
      ("sample_event_ids", ["e-0001", "e-0002"]), ("sample_sources", evidence.sampleSources),
      ("recent_window_records", evidence.recentWindowRecords),
    ]
    for (key, expectedValue) in expected {
      #expect(canonicalJSON(unmapped[key]) == canonicalJSON(expectedValue), "\(key)")
    }
    let actors = try #require(unmapped["actors"] as? [[String: Any]])
    #expect(actors.map { $0["name"] as? String } == evidence.actors.map(\.name))
    #expect(actors.map { $0["uid"] as? String } == evidence.actors.map(\.uid))
    #expect(actors.map { ($0["records"] as? Int).map(Int64.init) } == evidence.actors.map(\.records))
    #expect((unmapped["objects"] as? [Any])?.count == 2)
    let keys = try #require(unmapped["keys"] as? [[String: Any]])
    #expect(keys.map { $0["value"] as? String } == ["Data Loader", "0055g00000AbCdE"])
    #expect(keys.first?["horizons"] as? [String] == ["5m", "1h"])
  }

  @Test("an infinite multiple, which JSON cannot hold, is written as null")
  func infiniteMultiple() throws {
    let finding = SampleFindings.finding(evidence: SampleFindings.evidence(multiple: .infinity))
    let event = try decodedEvent(encoder.encode(finding))
    #expect(value(at: "unmapped.exfilwatch.multiple", in: event) is NSNull)
  }

  @Test("without tenant and format, metadata leaves them out")
  func noTenantNoFormat() throws {
    let event = try decodedEvent(encoder.encode(SampleFindings.finding(tenant: nil, format: nil)))
    let metadata = try #require(event["metadata"] as? [String: Any])
    #expect(metadata["tenant_uid"] == nil && metadata["log_name"] == nil)
  }
}
