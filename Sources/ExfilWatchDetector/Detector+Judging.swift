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

  init(value: Int64, expected: Expectation, shift: Double, floor: Int64, thresholds: Thresholds) {
    score = (log1p(Double(value)) - expected.mean - shift) / expected.spread
    multiple = Double(value + 1) / Glibc.exp(expected.busiest + shift)
    passes = score >= thresholds.score && value >= floor && multiple >= thresholds.multiple
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

    let recordShift = concurrentShift(\.peakRecordsToday, expected: \.recordsExpected)
    let readShift = concurrentShift(\.peakReadsToday, expected: \.readsExpected)
    // Windows judged at the end of input may end past the newest event: the warm-up is over
    // only if the events reach its end.
    let warm = end >= statistics.warmUpEnd! && statistics.newestEventTime! >= statistics.warmUpEnd!
    flagged.removeAll(keepingCapacity: true)
    for candidate in candidates {
      let (thresholds, allowed) = self.thresholds(horizon.thresholds, forKey: Int(candidate.key))
      let peersRecords = recordShift.shift(for: candidate)
      let peersReads = readShift.shift(for: candidate)
      let records = MetricJudgement(
        value: candidate.records, expected: candidate.recordsExpected,
        shift: peersRecords, floor: thresholds.recordFloor, thresholds: thresholds)
      let reads = MetricJudgement(
        value: candidate.reads, expected: candidate.readsExpected,
        shift: peersReads, floor: thresholds.readFloor, thresholds: thresholds)
      let isFlagged = warm && !allowed && (records.passes || reads.passes)
      let index = Int(candidate.key)
      // A run of flagged windows is unbroken only if the key was judged at the hop before:
      // a dormant key's next bulk read starts a new run, it does not continue an old one.
      let since = keys[index].horizons[h].recentHop == hop - 1 ? keys[index].horizons[h].flaggedSince : nil
      let settled = isFlagged && since.map { end - $0 >= configuration.relearnAfter } == true
      if !isFlagged || settled {
        // The key's own level, net of its peers' rise: a holiday rush must not teach every
        // agent that a rush is normal (and widen its spread for two weeks).
        keys[index].horizons[h].peakRecords = max(
          keys[index].horizons[h].peakRecords, max(0, log1p(Double(candidate.records)) - peersRecords))
        keys[index].horizons[h].peakReads = max(
          keys[index].horizons[h].peakReads, max(0, log1p(Double(candidate.reads)) - peersReads))
      }
      keys[index].horizons[h].flaggedSince = isFlagged ? (since ?? end) : nil
      keys[index].horizons[h].record(records: candidate.records, hop: hop)
      guard isFlagged else { continue }
      let byRecords = records.passes && (!reads.passes || records.score >= reads.score)
      flagged.append(
        flaggedWindow(
          candidate, horizon: h, hop: hop, metric: byRecords ? .records : .reads,
          judgement: byRecords ? records : reads))
    }
    guard !flagged.isEmpty else { return }
    statistics.windowsFlagged += flagged.count
    flagged.sort { ($0.evidence.dimension, $0.evidence.key) < ($1.evidence.dimension, $1.evidence.key) }
    incidents.fold(flagged, into: &pendingFindings)
  }

  /// Fills `candidates` with the keys whose window is not empty; keys idle for longer than
  /// their window and recent series leave the list and drop their buckets.
  private func collectCandidates(horizon h: Int, hop: Int64) {
    candidates.removeAll(keepingCapacity: true)
    let horizon = configuration.horizons[h]
    let hops = horizon.hopsPerWindow
    let idleAfter = Int64(max(hops, HorizonState.recentLength))
    let day = ((hop + 1) * horizon.hop - 1).floorDivided(by: DetectorConfiguration.Duration.day)
    let spreadFloor = horizon.thresholds.spreadFloor
    let weight = configuration.peerWeightDays
    var position = 0
    while position < active[h].count {
      let index = Int(active[h][position])
      // Buckets older than this window are in no window still to be judged, and take no
      // more reads (process refuses them): dropped, so an idle key keeps no evidence.
      keys[index].horizons[h].ring!.dropBuckets(before: hop - Int64(hops) + 1, into: &spareBuckets)
      let totals = keys[index].horizons[h].ring!.totals(endingAt: hop, hops: hops)
      if totals.reads == 0 {
        if keys[index].horizons[h].ring!.newestHop <= hop - idleAfter {
          keys[index].horizons[h].ring = nil
          keys[index].horizons[h].listed = false
          keys[index].horizons[h].recent = []
          keys[index].horizons[h].recentHop = .min
          active[h].swapAt(position, active[h].count - 1)
          active[h].removeLast()
        } else {
          position += 1
        }
        continue
      }
      position += 1
      keys[index].horizons[h].roll(to: day)
      // Field by field, not `let state = keys[index].horizons[h]`: a copy of the whole state
      // retains and releases its buckets, once per active key per hop.
      let ownRecords = keys[index].horizons[h].records
      let ownReads = keys[index].horizons[h].reads
      let dimension = Int(keys[index].key.dimension)
      let peer = peers[dimension][h]
      candidates.append(
        WindowCandidate(
          key: Int32(index), dimension: dimension, group: keys[index].usualClient, records: totals.records, reads: totals.reads,
          recordsExpected: Expectation(own: ownRecords, peers: peer.records, peerWeight: weight, spreadFloor: spreadFloor),
          readsExpected: Expectation(own: ownReads, peers: peer.reads, peerWeight: weight, spreadFloor: spreadFloor),
          established: ownRecords.days >= weight,
          peakRecordsToday: max(keys[index].horizons[h].peakRecords, log1p(Double(totals.records))),
          peakReadsToday: max(keys[index].horizons[h].peakReads, log1p(Double(totals.reads)))))
    }
  }

  /// How far the active established keys' busiest windows today stand above their usual
  /// daily peaks (the median, never below zero), per peer group and per dimension: a rise
  /// shared by most of a key's peers (a holiday rush, an outage backlog, every analyst's
  /// month-end export) is the peers' change, not each key's anomaly.
  private func concurrentShift(
    _ peakToday: KeyPath<WindowCandidate, Double>, expected: KeyPath<WindowCandidate, Expectation>
  ) -> ConcurrentShift {
    var byDimension = Array(repeating: [Double](), count: configuration.dimensions.count)
    var byGroup: [Symbol: [Double]] = [:]
    for candidate in candidates where candidate.established {
      let rise = candidate[keyPath: peakToday] - candidate[keyPath: expected].mean
      byDimension[candidate.dimension].append(rise)
      if !candidate.group.isNone { byGroup[candidate.group, default: []].append(rise) }
    }
    func shift(_ rises: [Double]) -> Double? {
      rises.count >= Self.minimumPeersForShift ? max(0, median(rises)) : nil
    }
    let dimensions = byDimension.map(shift)
    let widest = byDimension.indices.max { byDimension[$0].count < byDimension[$1].count }!
    return ConcurrentShift(
      groups: byGroup.compactMapValues(shift), dimensions: dimensions, widest: dimensions[widest] ?? 0)
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

  /// Peers needed before their concurrent change is taken as a shared surge.
  static let minimumPeersForShift = 5

  /// Summarises each dimension's established keys for the horizon: the median key's mean and
  /// variance become what a young key is expected to do.
  private func refreshPeers(horizon h: Int, at end: Int64) {
    peersRefreshed[h] = end.floorDivided(by: DetectorConfiguration.Duration.hour) * DetectorConfiguration.Duration.hour
    let weight = configuration.peerWeightDays
    for dimension in configuration.dimensions.indices {
      var records: [Baseline] = []
      var reads: [Baseline] = []
      for state in keys where !state.horizons.isEmpty && Int(state.key.dimension) == dimension {
        let horizon = state.horizons[h]
        guard horizon.records.days >= weight else { continue }
        records.append(horizon.records)
        reads.append(horizon.reads)
      }
      guard !records.isEmpty else { continue }
      peers[dimension][h] = (PeerLevel(typicalOf: records), PeerLevel(typicalOf: reads))
    }
  }
}

/// The middle value (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// The peers' concurrent rise at one judging step, in log units.
struct ConcurrentShift {
  /// By the app the group's keys usually read through.
  var groups: [Symbol: Double]
  var dimensions: [Double?]
  /// The rise of the dimension with the most established keys.
  var widest: Double

  /// A key's own peer group's rise where the group is big enough to tell, else its
  /// dimension's; a dimension with too few keys to tell (one console app, one office IP)
  /// takes the widest dimension's: the rush that lifts every agent lifts their app too.
  func shift(for candidate: WindowCandidate) -> Double {
    groups[candidate.group]
      ?? dimensions[candidate.dimension] ?? widest
  }
}
