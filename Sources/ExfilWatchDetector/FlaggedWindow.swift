import ExfilWatchEvent

/// A window that passed all three thresholds, with its evidence in plain text: what the
/// incident tracker folds.
struct FlaggedWindow: Codable {
  var key: DetectorKey
  var horizon: Int
  var evidence: WindowEvidence
  /// The keys (of the configured one-field dimensions) that most of the window's reads came
  /// from: how an actor's window and its app's window are known to be one attack.
  var related: [DetectorKey]
  /// Those of `related` that are young (no established baseline): a new app or address can tie
  /// windows of different keys into one incident even when its own volume never stood out;
  /// the console every agent uses, or the office address, must not.
  var newcomers: [DetectorKey]
  /// The event time at which the window was decided (its end plus the allowed lateness).
  var decisionTime: Int64
  var tenant: String?
  var format: LogFormat?
}

extension Detector {
  func flaggedWindow(
    _ candidate: WindowCandidate, horizon h: Int, hop: Int64, metric: WindowEvidence.Metric,
    judgement: MetricJudgement
  ) -> FlaggedWindow {
    let horizon = configuration.horizons[h]
    let state = keys[Int(candidate.key)]
    let window = rings[h][Int(candidate.key)].merged(endingAt: hop, hops: horizon.hopsPerWindow, store: buckets)
    let end = (hop + 1) * horizon.hop
    let breakdown = window.breakdown
    let samples = window.samples.samples
    let evidence = WindowEvidence(
      dimension: configuration.dimensions[candidate.dimension].description,
      key: state.key.text(symbols), horizon: horizon.name, windowStart: end - horizon.window,
      windowEnd: end, metric: metric, records: candidate.records, reads: candidate.reads,
      baselineRecords: candidate.recordsExpected.typical, baselineReads: candidate.readsExpected.typical,
      busiestRecords: candidate.recordsExpected.busiestVolume, busiestReads: candidate.readsExpected.busiestVolume,
      score: judgement.score, multiple: judgement.multiple,
      judgedAgainstPeers: candidate.recordsExpected.fromPeers, firstEventTime: window.firstTime,
      lastEventTime: window.lastTime, actors: breakdown.tallies(.actor, symbols: symbols),
      clients: breakdown.tallies(.client, symbols: symbols),
      sourceIPs: breakdown.tallies(.sourceIP, symbols: symbols),
      objects: breakdown.tallies(.object, symbols: symbols),
      sampleEventIDs: samples.compactMap { $0.eventID?.description },
      sampleSources: samples.map { "\(symbols.string($0.origin.input) ?? "-"):\($0.origin.line)" },
      recentWindowRecords: horizonStates[h][Int(candidate.key)].recent.elements, hop: horizon.hop)
    let related = relatedKeys(breakdown, tenant: state.key.tenant)
    let newcomers = related.filter { key in
      guard let index = keyIndex[key] else { return true }
      return horizonStates.allSatisfy { $0[Int(index)].records.days < configuration.peerWeightDays }
    }
    return FlaggedWindow(
      key: state.key, horizon: h, evidence: evidence, related: related, newcomers: newcomers,
      decisionTime: end + configuration.allowedLateness,
      tenant: symbols.string(state.key.tenant), format: window.format)
  }

  /// The dominant actor, client and source IP of a window, as keys of the one-field dimensions
  /// that are configured. (Not the object: two attacks on Contact are not one attack.)
  private func relatedKeys(_ breakdown: WindowBreakdown, tenant: Symbol) -> [DetectorKey] {
    var related: [DetectorKey] = []
    for (index, dimension) in configuration.dimensions.enumerated() where dimension.fields.count == 1 {
      let field: WindowBreakdown.Field
      switch dimension.fields[0] {
      case .actor: field = .actor
      case .client: field = .client
      case .sourceIP: field = .sourceIP
      case .object, .session, .tenant: continue
      }
      if let value = breakdown.dominant(field) {
        related.append(DetectorKey(dimension: UInt8(index), tenant: tenant, first: value))
      }
    }
    return related
  }
}
