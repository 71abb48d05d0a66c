import ExfilWatchEvent

/// The cap on tracked keys, reached: said once per flood as a finding of its own.
///
/// A flood of made-up values (a million fake user names, an address sweep) makes the detector
/// forget the least recently seen keys, and with them their baselines: that weakens detection
/// for everyone, so it is reported where findings go, not only on standard error. A new finding
/// is raised when evictions start again after a quiet period without any.
extension Detector {
  static let floodAnalytic = "tracked_key_cap"

  /// Called when the cap forces evictions, with the event whose new key did it.
  func noteEviction(by event: AccessEvent, newKey: DetectorKey) {
    defer { statistics.lastEvictionTime = event.time }
    if let last = statistics.lastEvictionTime, event.time - last <= configuration.quietPeriod { return }
    pendingFindings.append(floodFinding(at: event, newKey: newKey))
  }

  private func floodFinding(at event: AccessEvent, newKey: DetectorKey) -> Finding {
    let dimension = configuration.dimensions[Int(newKey.dimension)].description
    let created = statistics.keysCreated
    let start = statistics.firstEventTime ?? event.time
    let input = symbols.string(event.origin.input) ?? ""
    let evidence = WindowEvidence(
      dimension: dimension, key: newKey.text(symbols), horizon: "", windowStart: start, windowEnd: event.time,
      metric: .reads, records: 0, reads: 0, baselineRecords: 0, baselineReads: 0,
      busiestRecords: 0, busiestReads: 0, score: 0, multiple: 0, judgedAgainstPeers: false,
      firstEventTime: event.time, lastEventTime: event.time, actors: [], clients: [], sourceIPs: [], objects: [],
      sampleEventIDs: event.eventID.map { [$0.description] } ?? [], sampleSources: ["\(input):\(event.origin.line)"],
      recentWindowRecords: [])
    let id = FindingText.incidentID(
      tenant: nil, dimension: Self.floodAnalytic, key: dimension, horizon: "", windowStart: event.time)
    return Finding(
      id: id, revision: 1, activity: .create, severity: .medium, time: event.time, firstSeenTime: start,
      lastSeenTime: event.time, title: "More distinct keys than the detector tracks",
      description: "\(DisplayText.grouped(Int64(created))) keys made since \(DisplayText.utcSeconds(start)), reaching the cap of "
        + "\(DisplayText.grouped(Int64(configuration.maxTrackedKeys))) tracked at once: the least recently seen are being forgotten with "
        + "their baselines. The newest is \(dimension) \(DisplayText.quoted(newKey.text(symbols))). A flood of made-up values "
        + "(user names, addresses), or a cap too low for this org (--max-keys).",
      analytic: Self.floodAnalytic, keys: [], evidence: evidence, tenant: nil, format: event.format)
  }
}
