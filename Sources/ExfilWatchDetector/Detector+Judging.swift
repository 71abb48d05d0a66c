import ExfilWatchEvent
import Glibc

/// One key's window at the hop being judged.
struct WindowCandidate {
  var key: Int32
  var dimension: Int
  /// The peer group: keys (of any dimension) whose reads usually come through the same app.
  var group: Symbol
  var records: Int64
  var reads: Int64
  /// log1p of `records` and `reads`, the scale windows are compared on (taken once: each is
  /// needed three times per window, at every hop).
  var logRecords: Double
  var logReads: Double
  var recordsExpected: Expectation
  var readsExpected: Expectation
  /// Whether the key has enough history of its own to speak for its peers' concurrent change.
  var established: Bool
  /// log1p of the key's busiest records and reads today, this window included.
  var peakRecordsToday: Double
  var peakReadsToday: Double
}

/// How far a window stands above what was expected of it, for one metric.
struct MetricJudgement {
  var score: Double
  var multiple: Double
  var passes: Bool

  init(value: Int64, logValue: Double, expected: Expectation, shift: Double, floor: Int64, thresholds: Thresholds) {
    score = (logValue - expected.mean - shift) / expected.spread
    // The multiple only matters to a window the other two tests pass (an `exp` per metric
    // and window otherwise): 0 when they fail.
    guard score >= thresholds.score && value >= floor else {
      multiple = 0
      passes = false
      return
    }
    multiple = Double(value + 1) / Glibc.exp(expected.busiest + shift)
    passes = multiple >= thresholds.multiple
  }
}

extension Detector {
  /// Judges the window of every active key of horizon `h` that ends with hop `hop`.
  func judge(horizon h: Int, hop: Int64) {
    let horizon = configuration.horizons[h]
    let end = (hop + 1) * horizon.hop
    if end >= peersRefreshed[h] + DetectorConfiguration.Duration.hour { refreshPeers(horizon: h, at: end) }
    collectCandidates(horizon: h, hop: hop)
    guard !candidates.isEmpty else { return }
    statistics.windowsJudged += candidates.count

    peersShift.compute(candidates, dimensionCount: configuration.dimensions.count)
    // Windows judged at the end of input may end past the newest event: the warm-up is over
    // only if the events reach its end.
    let warm = end >= statistics.warmUpEnd! && statistics.newestEventTime! >= statistics.warmUpEnd!
    flagged.removeAll(keepingCapacity: true)
    // By index, each field read where it is: a candidate is some 150 bytes, and taking each
    // one out of the array copied it whole, once per judged window.
    for position in candidates.indices {
      let index = Int(candidates[position].key)
      let (thresholds, allowed) = self.thresholds(horizon.thresholds, forKey: index)
      let peersRecords = peersShift.records[position]
      let peersReads = peersShift.reads[position]
      let records = MetricJudgement(
        value: candidates[position].records, logValue: candidates[position].logRecords,
        expected: candidates[position].recordsExpected, shift: peersRecords, floor: thresholds.recordFloor,
        thresholds: thresholds)
      let reads = MetricJudgement(
        value: candidates[position].reads, logValue: candidates[position].logReads,
        expected: candidates[position].readsExpected, shift: peersReads, floor: thresholds.readFloor,
        thresholds: thresholds)
      let isFlagged = warm && !allowed && (records.passes || reads.passes)
      horizonStates[h][index].noteJudged(
        records: candidates[position].records, logRecords: candidates[position].logRecords,
        logReads: candidates[position].logReads, hop: hop, end: end, flagged: isFlagged,
        relearnAfter: configuration.relearnAfter, peersShift: (peersRecords, peersReads))
      guard isFlagged else { continue }
      let byRecords = records.passes && (!reads.passes || records.score >= reads.score)
      flagged.append(
        flaggedWindow(
          candidates[position], horizon: h, hop: hop, metric: byRecords ? .records : .reads,
          judgement: byRecords ? records : reads))
    }
    guard !flagged.isEmpty else { return }
    statistics.windowsFlagged += flagged.count
    // A total order (two tenants' `alice` tie on the rest), so the findings do not depend on
    // the order keys joined or left the active list.
    flagged.sort {
      ($0.evidence.dimension, $0.evidence.key, $0.tenant ?? "") < ($1.evidence.dimension, $1.evidence.key, $1.tenant ?? "")
    }
    incidents.fold(flagged, into: &pendingFindings)
  }

  /// Fills `candidates` with the keys whose window is not empty; keys idle for longer than
  /// their window and recent series leave the list and drop their buckets, and keys whose
  /// window has just emptied are parked until then (`parked`).
  private func collectCandidates(horizon h: Int, hop: Int64) {
    candidates.removeAll(keepingCapacity: true)
    let horizon = configuration.horizons[h]
    let hops = horizon.hopsPerWindow
    let idleAfter = Int64(max(hops, RecentWindows.capacity))
    let day = ((hop + 1) * horizon.hop - 1).floorDivided(by: DetectorConfiguration.Duration.day)
    let spreadFloor = horizon.thresholds.spreadFloor
    let weight = configuration.peerWeightDays
    let firstHop = hop - Int64(hops) + 1
    idleParked(horizon: h, hop: hop)
    horizonStates[h].withUnsafeMutableBufferPointer { states in
      rings[h].withUnsafeMutableBufferPointer { rings in
        var position = 0
        while position < active[h].count {
          let index = Int(active[h][position])
          // Buckets older than this window are in no window still to be judged, and take no
          // more reads (process refuses them): dropped, so an idle key keeps no evidence.
          rings[index].dropBuckets(before: firstHop, store: &buckets)
          let totals = rings[index].totals(endingAt: hop, hops: hops, store: buckets)
          if totals.reads == 0 {
            let newestHop = rings[index].newestHop
            if newestHop <= hop - idleAfter {
              states[index].goIdle(ring: &rings[index], store: &buckets)
            } else if newestHop < firstHop {
              // Nothing in the window or ahead of it (its buckets were just dropped): it
              // waits for its idle hop off the list.
              states[index].idleAt = newestHop + idleAfter
              parked[h][newestHop + idleAfter, default: []].append(Int32(index))
              parkedCount[h] += 1
            } else {
              position += 1
              continue
            }
            active[h].swapAt(position, active[h].count - 1)
            active[h].removeLast()
            continue
          }
          position += 1
          states[index].roll(to: day)
          let dimension = Int(keys[index].key.dimension)
          let peer = peers[dimension][h]
          let own = (records: states[index].records, reads: states[index].reads)
          let logRecords = LogVolume.of(totals.records)
          let logReads = LogVolume.of(totals.reads)
          candidates.append(
            WindowCandidate(
              key: Int32(index), dimension: dimension, group: keys[index].usualClient, records: totals.records,
              reads: totals.reads, logRecords: logRecords, logReads: logReads,
              recordsExpected: Expectation(own: own.records, peers: peer.records, peerWeight: weight, spreadFloor: spreadFloor),
              readsExpected: Expectation(own: own.reads, peers: peer.reads, peerWeight: weight, spreadFloor: spreadFloor),
              established: own.records.days >= weight,
              peakRecordsToday: max(states[index].peakRecords, logRecords),
              peakReadsToday: max(states[index].peakReads, logReads)))
        }
      }
    }
  }

  /// Parked keys whose idle hop is `hop` go idle, as they would have on the active list.
  private func idleParked(horizon h: Int, hop: Int64) {
    guard let due = parked[h].removeValue(forKey: hop) else { return }
    for index in due.map(Int.init) where horizonStates[h][index].idleAt == hop {
      horizonStates[h][index].goIdle(ring: &rings[h][index], store: &buckets)
      parkedCount[h] -= 1
    }
  }

  /// A key's thresholds after its allowlist entry, and whether the entry says never to flag it.
  private func thresholds(_ thresholds: Thresholds, forKey index: Int) -> (Thresholds, allowed: Bool) {
    guard !allowlist.entries.isEmpty else { return (thresholds, false) }
    if allowlistEntries[index] == Self.unmatched {
      let key = keys[index].key
      let values = [key.first, key.second, key.third].map { $0.isNone ? nil : symbols.string($0) }
      let dimension = configuration.dimensions[Int(key.dimension)]
      let tenant = key.tenant.isNone ? nil : symbols.string(key.tenant)
      allowlistEntries[index] = Int32(allowlist.entry(dimension: dimension, values: values, tenant: tenant) ?? -1)
    }
    let entry = Int(allowlistEntries[index])
    guard entry >= 0 else { return (thresholds, false) }
    guard let overrides = allowlist.entries[entry].thresholds else { return (thresholds, true) }
    return (overrides.applied(to: thresholds), false)
  }

  /// Summarises each dimension's established keys for the horizon: the median key's mean and
  /// variance become what a young key is expected to do.
  private func refreshPeers(horizon h: Int, at end: Int64) {
    peersRefreshed[h] = end.floorDivided(by: DetectorConfiguration.Duration.hour) * DetectorConfiguration.Duration.hour
    let weight = configuration.peerWeightDays
    var records = Array(repeating: [Baseline](), count: configuration.dimensions.count)
    var reads = records
    for index in keys.indices where !keys[index].isFree && horizonStates[h][index].records.days >= weight {
      let dimension = Int(keys[index].key.dimension)
      records[dimension].append(horizonStates[h][index].records)
      reads[dimension].append(horizonStates[h][index].reads)
    }
    for dimension in configuration.dimensions.indices where !records[dimension].isEmpty {
      peers[dimension][h] = (PeerLevel(typicalOf: records[dimension]), PeerLevel(typicalOf: reads[dimension]))
    }
  }
}
