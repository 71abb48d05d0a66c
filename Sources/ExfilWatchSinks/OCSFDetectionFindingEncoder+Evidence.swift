import ExfilWatchDetector
import Glibc

/// The parts of the event that describe the flagged window: who and what (`evidences`,
/// `resources`, `observables`), how far from normal (`anomaly_analyses`), and the detector's
/// full account (`unmapped.exfilwatch`).
extension OCSFDetectionFindingEncoder {
  /// The window's top actor, client app and source IP as one OCSF evidence. Nil when the
  /// window names none of them, since an OCSF evidence must hold at least one artifact.
  func evidence(_ evidence: WindowEvidence) -> JSONValue? {
    var actor: JSONValue?
    if evidence.topActor != nil || evidence.topClient != nil {
      actor = [
        "user": evidence.topActor.map { ["name": .string($0.name), "uid": $0.uid.map(JSONValue.string)] },
        "app_name": evidence.topClient.map { .string($0.name) },
        "app_uid": evidence.topClient?.uid.map(JSONValue.string),
      ]
    }
    let sourceEndpoint: JSONValue? = evidence.topSourceIP.map { ["ip": .string($0.name)] }
    guard actor != nil || sourceEndpoint != nil else { return nil }
    return ["actor": actor, "src_endpoint": sourceEndpoint]
  }

  /// The objects (entity types such as Contact) read in the window. Their counts are under
  /// `unmapped.exfilwatch.objects`; the folded `(other)` tail is not a resource.
  func resources(_ objects: [Tally]) -> JSONValue? {
    let named = objects.filter(\.isIdentified)
    guard !named.isEmpty else { return nil }
    return .array(
      named.map {
        ["type": "object", "name": .string($0.name), "uid": $0.uid.map(JSONValue.string),
         "role_id": 1, "role": "Target"]
      })
  }

  /// Every actor name, source IP and client app of the window, for SIEM pivots and threat-intel
  /// matching. Client apps have no OCSF observable type, so they are Other (99). Only the top
  /// ones appear elsewhere in the event, so only they get a `name` pointing at that attribute,
  /// written without an array index (`evidences.actor.user.name`): the schema allows the
  /// indexed forms too, but the OCSF server's validator resolves only this one.
  func observables(_ evidence: WindowEvidence) -> JSONValue? {
    var observables: [JSONValue] = []
    for actor in evidence.actors where actor.isIdentified {
      let name = actor == evidence.topActor ? "evidences.actor.user.name" : nil
      observables.append(observable(typeID: 4, type: "User Name", name: name, value: actor.name))
    }
    for ip in evidence.sourceIPs where ip.isIPAddress {
      let name = ip == evidence.topSourceIP ? "evidences.src_endpoint.ip" : nil
      observables.append(observable(typeID: 2, type: "IP Address", name: name, value: ip.name))
    }
    for client in evidence.clients where client.isIdentified {
      let name = client == evidence.topClient ? "evidences.actor.app_name" : nil
      observables.append(
        observable(typeID: 99, type: "Application Name", name: name, value: client.name))
    }
    return observables.isEmpty ? nil : .array(observables)
  }

  private func observable(typeID: Int64, type: String, name: String?, value: String) -> JSONValue {
    ["type_id": .integer(typeID), "type": .string(type), "name": name.map(JSONValue.string),
     "value": .string(value)]
  }

  /// The window against the key's baseline, in the metric that crossed the thresholds.
  func anomalyAnalysis(_ evidence: WindowEvidence) -> JSONValue {
    let parameter: String
    let observed: Int64
    let typical: Double
    switch evidence.metric {
    case .records:
      (parameter, observed, typical) = ("records_read", evidence.records, evidence.baselineRecords)
    case .reads:
      (parameter, observed, typical) = ("read_events", evidence.reads, evidence.baselineReads)
    }
    let window: JSONValue = [
      "start_time": .integer(evidence.windowStart),
      "end_time": .integer(evidence.windowEnd),
      "duration": .integer(evidence.windowEnd - evidence.windowStart),
      "type_id": 9,
      "type": "Time Interval",
    ]
    return [
      "analysis_targets": [
        ["name": .string("\(evidence.dimension)=\(evidence.key)"), "type": .string(evidence.dimension)]
      ],
      "anomalies": [
        [
          "observation_parameter": .string(parameter),
          "observation_type": .string("sum per \(evidence.horizon) window"),
          "observations": [
            ["value": .string(String(observed)), "count": .integer(evidence.reads), "timespan": window]
          ],
        ]
      ],
      "baselines": [
        [
          "observation_parameter": .string(parameter),
          "observation_type": .string("typical per \(evidence.horizon) window"),
          "observations": [["value": .string(decimalText(typical))]],
        ]
      ],
    ]
  }

  /// Everything the detector said about the finding that OCSF has no attribute for, so a
  /// consumer can rebuild the finding's explanation from the event alone. Score and multiple
  /// are rounded to 2 decimals (more is noise); baselines are kept exact.
  func unmapped(_ finding: Finding) -> JSONValue {
    let evidence = finding.evidence
    return [
      "revision": .integer(Int64(finding.revision)),
      "horizon": .string(evidence.horizon),
      "dimension": .string(evidence.dimension),
      "key": .string(evidence.key),
      "window_start": .integer(evidence.windowStart),
      "window_end": .integer(evidence.windowEnd),
      "metric": .string(evidence.metric.rawValue),
      "records": .integer(evidence.records),
      "reads": .integer(evidence.reads),
      "baseline_records": .number(evidence.baselineRecords),
      "baseline_reads": .number(evidence.baselineReads),
      "busiest_records": .number(evidence.busiestRecords),
      "busiest_reads": .number(evidence.busiestReads),
      "score": .number(roundedToHundredths(evidence.score)),
      "multiple": .number(roundedToHundredths(evidence.multiple)),
      "judged_against_peers": .bool(evidence.judgedAgainstPeers),
      "first_event_time": .integer(evidence.firstEventTime),
      "last_event_time": .integer(evidence.lastEventTime),
      "actors": tallies(evidence.actors),
      "clients": tallies(evidence.clients),
      "source_ips": tallies(evidence.sourceIPs),
      "objects": tallies(evidence.objects),
      "sample_event_ids": .array(evidence.sampleEventIDs.map(JSONValue.string)),
      "sample_sources": .array(evidence.sampleSources.map(JSONValue.string)),
      "recent_window_records": .array(evidence.recentWindowRecords.map(JSONValue.integer)),
      "hop": evidence.hop.map(JSONValue.integer),
      "keys": .array(
        finding.keys.map {
          ["dimension": .string($0.dimension), "value": .string($0.value),
           "horizons": .array($0.horizons.map(JSONValue.string))]
        }),
    ]
  }

  private func tallies(_ tallies: [Tally]) -> JSONValue {
    .array(
      tallies.map {
        ["name": .string($0.name), "uid": $0.uid.map(JSONValue.string),
         "records": .integer($0.records), "reads": .integer($0.reads)]
      })
  }

  private func roundedToHundredths(_ value: Double) -> Double {
    (value * 100).rounded() / 100
  }

  /// `340`, `0.25`: a baseline rounded to hundredths, as OCSF observation values are strings.
  private func decimalText(_ value: Double) -> String {
    let rounded = roundedToHundredths(value)
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
    return "\(rounded)"
  }
}

/// The first real value of each breakdown (most records first): the actor, client app and
/// source IP the evidence names.
extension Tally {
  /// False for the `(other)` and `(none)` placeholders, which name no one.
  var isIdentified: Bool {
    name != Tally.otherName && name != Tally.noneName
  }

  /// Whether the name is an IPv4 or IPv6 address that fits OCSF `ip_t` (at most 40
  /// characters); logs also hold placeholders and internal markers in their IP fields.
  var isIPAddress: Bool {
    guard name.utf8.count <= 40 else { return false }
    var address = in6_addr()
    return inet_pton(AF_INET, name, &address) == 1 || inet_pton(AF_INET6, name, &address) == 1
  }
}
