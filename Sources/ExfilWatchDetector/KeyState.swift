import ExfilWatchEvent

/// What the detector keeps about one key beside its state and buckets in each horizon
/// (`HorizonState` and `WindowRing`, empty while the key is idle there), which live in
/// per-horizon arrays by the same slot: the judging step walks one horizon's keys every hop,
/// and a key's horizons kept in an array of their own, with the buckets inside, made every
/// step copy or check several levels of storage per key.
struct KeyState {
  var key: DetectorKey
  /// The newest event time of the key, for evicting the least recently seen.
  var lastSeen: Int64
  /// The client app of the key's last read on its previous active day: keys that use the
  /// same app are each other's closest peers (the analysts in Lightning, the agents in the
  /// console). Not today's: an app that takes over many tokens today must not make them
  /// each other's peers and hide itself.
  var usualClient: Symbol = .none
  var latestClient: Symbol = .none
  var latestDay: Int64 = .min
  /// Whether the slot is free (its key evicted): its horizon states are empty.
  var isFree = false
}

/// One key in one horizon, but for its buckets (the ring beside it). The fields are in the
/// order that wastes least space between them: every tracked key has one per horizon.
struct HorizonState: Codable {
  var records = Baseline()
  var reads = Baseline()
  var recentHop: Int64 = .min
  /// The UTC day (days since 1970) whose busiest unflagged window is being tracked, and that
  /// window's log1p(records) and log1p(reads); -1 before any.
  var peakDay: Int64 = .min
  var peakRecords = -1.0
  var peakReads = -1.0
  /// The hop at which the key goes idle unless it reads again, while it waits for that off
  /// the horizon's active list (`Detector.parked`); `Int64.min` otherwise (not an optional,
  /// which would take a word more). Not saved: a restored key waits on the active list.
  var idleAt: Int64 = .min
  /// Records of the key's last judged windows, one per hop, ending at `recentHop`.
  var recent = RecentWindows()
  /// Whether the key is on the horizon's list of keys to judge.
  var listed = false
  /// The end of the first window of the key's current run of flagged windows.
  var flaggedSince: Int64?

  var isParked: Bool { idleAt != .min }

  private enum CodingKeys: String, CodingKey {
    case records, reads, listed, recent, recentHop, flaggedSince, peakDay, peakRecords, peakReads
  }

  /// Starts tracking `day`, first teaching the baselines the finished day's peaks.
  mutating func roll(to day: Int64) {
    guard day != peakDay else { return }
    if peakRecords >= 0 {
      records.learn(peakRecords)
      reads.learn(peakReads)
    }
    peakDay = day
    peakRecords = -1
    peakReads = -1
  }

  /// Notes the judging of the key's window ending at `hop` (at time `end`): its level teaches
  /// the day's peak unless it was flagged (or flagged for so long that it is the new normal),
  /// and it joins the recent series.
  mutating func noteJudged(
    records windowRecords: Int64, logRecords: Double, logReads: Double, hop: Int64, end: Int64, flagged: Bool,
    relearnAfter: Int64, peersShift: (records: Double, reads: Double)
  ) {
    // A run of flagged windows is unbroken only if the key was judged at the hop before:
    // a dormant key's next bulk read starts a new run, it does not continue an old one.
    let since = recentHop == hop - 1 ? flaggedSince : nil
    let settled = flagged && since.map { end - $0 >= relearnAfter } == true
    if !flagged || settled {
      // The key's own level, net of its peers' rise: a holiday rush must not teach every
      // agent that a rush is normal (and widen its spread for two weeks).
      peakRecords = max(peakRecords, max(0, logRecords - peersShift.records))
      peakReads = max(peakReads, max(0, logReads - peersShift.reads))
    }
    flaggedSince = flagged ? (since ?? end) : nil
    record(records: windowRecords, hop: hop)
  }

  /// Leaves the horizon's active keys: the buckets go back to `store`, the recent series is
  /// forgotten, the baselines stay.
  mutating func goIdle(ring: inout WindowRing, store: inout BucketStore) {
    ring.clear(store: &store)
    listed = false
    idleAt = .min
    recent.removeAll()
    recentHop = .min
  }

  /// Appends the window ending at `hop` to the recent series, with zeros for the hops the key
  /// was not judged in (its window was empty).
  mutating func record(records: Int64, hop: Int64) {
    if recentHop != .min {
      let gap = min(Int(hop - recentHop) - 1, RecentWindows.capacity)
      for _ in 0..<max(gap, 0) { recent.append(0) }
    }
    recent.append(records)
    recentHop = hop
  }
}
