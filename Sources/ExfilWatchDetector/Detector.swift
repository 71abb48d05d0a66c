import ExfilWatchEvent

/// The sliding-window statistical detector: reads summed per key and horizon, each window
/// judged against the key's own baseline (blended with its peers' while the key is young and
/// lifted by its peers' concurrent change), flagged windows folded into incidents, incidents
/// emitted as findings.
///
/// It is driven by event time only (no clock), one event at a time in arrival order, so the
/// same events give the same findings in a replay, a cron scan or a live tail. A window is
/// judged once the watermark (the newest event time minus the allowed lateness) passes its
/// end; every update it makes is order-free within that, so chunking and file splits do not
/// change the result.
public final class Detector {
  public let configuration: DetectorConfiguration
  /// The table the detector's keys name symbols in: the run's, saved with its state.
  public let symbols: SymbolTable

  // The state touched for every event or judged window is exempt from dynamic exclusivity
  // checks (a begin and end access per touch, a tenth of the detector's time): the detector
  // is used by one thread at a time and nothing it calls re-enters it.
  @exclusivity(unchecked) var keys: [KeyState] = []
  /// Per horizon, by key slot: the key's state in the horizon, and its buckets (empty while
  /// the key is idle there).
  @exclusivity(unchecked) var horizonStates: [[HorizonState]]
  @exclusivity(unchecked) var rings: [[WindowRing]]
  @exclusivity(unchecked) var keyIndex = KeySlotIndex()
  var freeSlots: [Int32] = []
  /// Per horizon, the keys with buckets to judge.
  @exclusivity(unchecked) var active: [[Int32]]
  /// Per horizon, listed keys whose window is empty with no newer bucket, by the hop at which
  /// they go idle unless they read again first (which puts them back on `active`): judging
  /// such a key at each hop until then did nothing but find its window empty, and with many
  /// keys that read now and then it was most of the judging step. Entries of keys that read
  /// again or were evicted are left in place and skipped (their `idleAt` differs), or dropped
  /// when the horizon has no key left.
  @exclusivity(unchecked) var parked: [[Int64: [Int32]]]
  /// Per horizon, the keys truly parked: with them, the horizon still has keys to judge.
  @exclusivity(unchecked) var parkedCount: [Int]
  /// Per horizon, the next hop whose window is to be judged.
  @exclusivity(unchecked) var nextHop: [Int64]
  /// Per horizon, its hop and the hops in its window, and (scratch) the admitted event's hop:
  /// worked out once per event, where each key and horizon took a copy of the `Horizon` and
  /// two or three divisions (some twenty per event).
  let hopLengths: [Int64]
  let windowHops: [Int64]
  @exclusivity(unchecked) var eventHops: [Int64]
  /// Per dimension, its fields.
  let keyFields: [DetectorKey.Fields]
  /// Per dimension and horizon, the peers' typical key for records and for reads.
  @exclusivity(unchecked) var peers: [[(records: PeerLevel, reads: PeerLevel)]]
  /// Per horizon, the window end at which peers were last summarised.
  @exclusivity(unchecked) var peersRefreshed: [Int64]
  @exclusivity(unchecked) var incidents: IncidentTracker
  /// The buckets of every ring.
  @exclusivity(unchecked) var buckets = BucketStore()
  @exclusivity(unchecked) var pendingFindings: [Finding] = []
  /// Events held until their time is confirmed (a wrong clock must not move event time).
  @exclusivity(unchecked) var timeGuard = EventTimeGuard()
  /// Scratch space of the judging step, kept to avoid allocating per window.
  @exclusivity(unchecked) var candidates: [WindowCandidate] = []
  /// The peers' concurrent rise at the judging step.
  @exclusivity(unchecked) var peersShift = ConcurrentShift()
  @exclusivity(unchecked) var flagged: [FlaggedWindow] = []
  @exclusivity(unchecked) public internal(set) var statistics = DetectorStatistics()
  /// Keys never flagged, or flagged past their own thresholds (not saved with the state).
  @exclusivity(unchecked) public var allowlist = Allowlist() {
    didSet { allowlistEntries = Array(repeating: Self.unmatched, count: keys.count) }
  }
  /// Per key slot, the allowlist entry matching it: `unmatched` until looked up, then -1
  /// (none) or the entry's index.
  @exclusivity(unchecked) var allowlistEntries: [Int32] = []
  static let unmatched: Int32 = -2

  public init(configuration: DetectorConfiguration = DetectorConfiguration(), symbols: SymbolTable) {
    self.configuration = configuration
    self.symbols = symbols
    let horizonCount = configuration.horizons.count
    active = Array(repeating: [], count: horizonCount)
    parked = Array(repeating: [:], count: horizonCount)
    parkedCount = Array(repeating: 0, count: horizonCount)
    horizonStates = Array(repeating: [], count: horizonCount)
    rings = Array(repeating: [], count: horizonCount)
    nextHop = Array(repeating: .min, count: horizonCount)
    hopLengths = configuration.horizons.map(\.hop)
    keyFields = configuration.dimensions.map(DetectorKey.Fields.init)
    windowHops = configuration.horizons.map { Int64($0.hopsPerWindow) }
    eventHops = Array(repeating: 0, count: horizonCount)
    peers = Array(
      repeating: Array(repeating: (PeerLevel.unknown, PeerLevel.unknown), count: horizonCount),
      count: configuration.dimensions.count)
    peersRefreshed = Array(repeating: .min, count: horizonCount)
    incidents = IncidentTracker(configuration: configuration)
    reserveKeySlots()
  }

  /// The watermark: windows ending at or before it are judged.
  public var watermark: Int64? {
    statistics.newestEventTime.map { $0 - configuration.allowedLateness }
  }

  /// Takes one event; findings it causes are collected for `takeFindings()`.
  ///
  /// The first events of a run, and an event far ahead of the newest, wait until enough
  /// events confirm their time (`EventTimeGuard`); all others are judged at once.
  public func process(_ event: AccessEvent) {
    statistics.events += 1
    if timeGuard.admitsDirectly(event, newest: statistics.newestEventTime, maxJump: configuration.maxTimeJump) {
      admit(event)
    } else {
      guardEventTime(event)
    }
  }

  /// Counts an event whose time is trusted into its keys' windows.
  func admit(_ event: AccessEvent) {
    // A count beyond a trillion records is a broken log, not a read: it is taken as a
    // trillion, so sums over years of such events cannot overflow. (A copy only then: the
    // event is some 190 bytes, and every event passes here.)
    guard (0...Self.largestRecordCount).contains(event.records) else {
      var clamped = event
      clamped.records = min(max(event.records, 0), Self.largestRecordCount)
      return admit(clamped)
    }
    if event.time > statistics.newestEventTime! {
      statistics.newestEventTime = event.time
      advance(to: event.time - configuration.allowedLateness, now: event.time)
    }
    guard event.isRead else { return }
    statistics.reads += 1
    statistics.records += event.records
    let late = event.time < watermark!
    if late {
      statistics.lateEvents += 1
      statistics.lateRecords += event.records
    }
    var windowed = false
    let day = event.time.floorDivided(by: DetectorConfiguration.Duration.day)
    for h in eventHops.indices { eventHops[h] = event.time.floorDivided(by: hopLengths[h]) }
    for dimension in keyFields.indices {
      guard let key = DetectorKey(event: event, dimension: dimension, fields: keyFields[dimension]) else { continue }
      let index = Int(slot(for: key, event: event))
      keys.withUnsafeMutableBufferPointer { keys in
        keys[index].lastSeen = max(keys[index].lastSeen, event.time)
        if day > keys[index].latestDay {
          keys[index].usualClient = keys[index].latestClient
          keys[index].latestDay = day
        }
        keys[index].latestClient = event.client
      }
      for h in eventHops.indices {
        let hop = eventHops[h]
        guard hop > nextHop[h] - windowHops[h], rings[h][index].holds(hop: hop) else { continue }
        let wasEmpty = rings[h][index].isEmpty
        rings[h][index].add(event, hop: hop, store: &buckets)
        windowed = true
        // A ring with buckets is a listed key's, not parked (a parked key's window and all
        // after it are empty, an idle key's ring is cleared): its state, elsewhere in memory,
        // is left alone for all but a key's first read in a while.
        guard wasEmpty else {
          assert(horizonStates[h][index].listed && !horizonStates[h][index].isParked)
          continue
        }
        if !horizonStates[h][index].listed {
          horizonStates[h][index].listed = true
          active[h].append(Int32(index))
        } else if horizonStates[h][index].isParked {
          horizonStates[h][index].idleAt = .min
          parkedCount[h] -= 1
          active[h].append(Int32(index))
        }
      }
    }
    if late && !windowed { statistics.tooLateEvents += 1 }
  }

  /// The end of input: judges every window that holds an event, up to the last hop of each
  /// horizon that holds the newest one (as if the watermark had caught up), so the last
  /// minutes of a replay are not left unjudged. Incidents close only by the newest event time:
  /// the end of a file is not a quiet period.
  public func finish() {
    if !timeGuard.started { startFromHeld() }
    releaseHeld()
    guard let newest = statistics.newestEventTime else { return }
    let lastEnd = configuration.horizons.map { (newest.floorDivided(by: $0.hop) + 1) * $0.hop }.max() ?? newest
    advance(to: lastEnd, now: newest)
  }

  /// Lets event time go on to `time` without an event: a live source that went quiet still
  /// has its last windows judged (`exfilwatch tail --idle-close`). Events older than the new
  /// watermark that arrive later are late, as usual.
  public func advanceWatermark(toEventTime time: Int64) {
    if !timeGuard.started { startFromHeld() }
    releaseHeld(caughtUpBy: time)
    guard let newest = statistics.newestEventTime, time > newest else { return }
    statistics.newestEventTime = time
    advance(to: time - configuration.allowedLateness, now: time)
  }

  /// Key slots whose storage is set aside when the detector is made.
  static let keySlotsReserved = 1 << 20

  /// Gives the per-key arrays the room for the keys the cap allows (up to a bound) at once:
  /// an array grown by doubling briefly holds its old and new storage, hundreds of MB at a
  /// million keys, where room set aside is address space whose pages are only taken as slots
  /// fill them in order (about 0.9 GB of it at the default cap of a million keys). Not the
  /// key index: keys land all over a hash table's storage, so room set aside there is used.
  func reserveKeySlots() {
    let room = min(configuration.maxTrackedKeys, Self.keySlotsReserved)
    keys.reserveCapacity(room)
    for h in horizonStates.indices {
      horizonStates[h].reserveCapacity(room)
      rings[h].reserveCapacity(room)
    }
  }

  /// The largest record count one event is taken to hold.
  public static let largestRecordCount: Int64 = 1 << 40

  /// Whether the cap on tracked keys has made the detector forget keys.
  public var hasEvictedKeys: Bool { statistics.evictedKeys > 0 }

  /// Whether findings are waiting for `takeFindings()`.
  public var hasFindings: Bool { !pendingFindings.isEmpty }

  /// The findings made since the last call, in the order they were made.
  public func takeFindings() -> [Finding] {
    statistics.findings += pendingFindings.count
    defer { pendingFindings.removeAll(keepingCapacity: true) }
    return pendingFindings
  }

  func start(at time: Int64) {
    statistics.firstEventTime = time
    statistics.newestEventTime = time
    statistics.warmUpEnd = time + configuration.warmUp
    for (h, horizon) in configuration.horizons.enumerated() {
      nextHop[h] = time.floorDivided(by: horizon.hop)
    }
  }

  /// Enough slots for the window plus the lateness, so no bucket a pending window needs is
  /// reused.
  func ringSlots(_ horizon: Horizon) -> Int {
    horizon.hopsPerWindow + Int((configuration.allowedLateness + horizon.hop - 1) / horizon.hop) + 2
  }

  /// Judges, in order of window end, every window that ends at or before `watermark`, then
  /// closes the incidents that have been quiet long enough by event time `now`.
  private func advance(to watermark: Int64, now: Int64) {
    while true {
      var next = -1
      var nextEnd = Int64.max
      for (h, horizon) in configuration.horizons.enumerated() {
        if active[h].isEmpty && parkedCount[h] == 0 {
          // Only entries of keys that left are there (their hops may be skipped).
          if !parked[h].isEmpty { parked[h].removeAll() }
          nextHop[h] = max(nextHop[h], watermark.floorDivided(by: horizon.hop))
          continue
        }
        let end = (nextHop[h] + 1) * horizon.hop
        if end <= watermark && end < nextEnd {
          next = h
          nextEnd = end
        }
      }
      guard next >= 0 else { break }
      // Incidents quiet for long enough by the time this window is decided close first, so
      // a later, unrelated window starts its own incident whatever else happened to arrive.
      incidents.closeQuiet(now: nextEnd + configuration.allowedLateness, into: &pendingFindings)
      judge(horizon: next, hop: nextHop[next])
      nextHop[next] += 1
    }
    incidents.closeQuiet(now: now, into: &pendingFindings)
  }

  /// The key's slot, made (and the cap enforced) when the key is new.
  private func slot(for key: DetectorKey, event: AccessEvent) -> Int32 {
    if let index = keyIndex[key] { return index }
    statistics.keysCreated += 1
    if keyIndex.count >= configuration.maxTrackedKeys {
      evictLeastRecentlySeen()
      noteEviction(by: event, newKey: key)
    }
    let state = KeyState(key: key, lastSeen: .min)
    let index: Int32
    if let free = freeSlots.popLast() {
      // A free slot's horizon states and rings were emptied when its key was evicted.
      index = free
      keys[Int(index)] = state
      allowlistEntries[Int(index)] = Self.unmatched
    } else {
      index = Int32(keys.count)
      keys.append(state)
      allowlistEntries.append(Self.unmatched)
      for (h, horizon) in configuration.horizons.enumerated() {
        horizonStates[h].append(HorizonState())
        rings[h].append(WindowRing(slots: ringSlots(horizon)))
      }
    }
    keyIndex[key] = index
    statistics.trackedKeys = keyIndex.count
    return index
  }

  /// Forgets a twentieth of the keys, so a flood of one-off keys (scanning IPs, made-up user
  /// names) cannot exhaust memory: idle keys (no window to judge) first, least recently seen
  /// first, then active ones the same way. A twentieth, not fewer: each round ranks every
  /// key, and a flood must not make that the run's main work.
  private func evictLeastRecentlySeen() {
    let count = max(1, configuration.maxTrackedKeys / 20)
    let oldest = keyIndex.values.map { index in
      (horizonStates.contains { $0[Int(index)].listed } ? 1 : 0, keys[Int(index)].lastSeen, index)
    }.sorted { $0 < $1 }.prefix(count)
    var evicted: Set<Int32> = []
    for (_, _, index) in oldest {
      keyIndex[keys[Int(index)].key] = nil
      keys[Int(index)].isFree = true
      for h in horizonStates.indices {
        if horizonStates[h][Int(index)].isParked { parkedCount[h] -= 1 }
        horizonStates[h][Int(index)] = HorizonState()
        rings[h][Int(index)].clear(store: &buckets)
      }
      freeSlots.append(index)
      evicted.insert(index)
    }
    if oldest.contains(where: { $0.0 == 1 }) {
      for h in active.indices { active[h].removeAll { evicted.contains($0) } }
    }
    statistics.evictedKeys += oldest.count
    statistics.trackedKeys = keyIndex.count
  }
}
