import ExfilWatchEvent

/// Everything the detector keeps about one key: a baseline per horizon and metric, and, while
/// the key is active, its recent buckets.
struct KeyState: Codable {
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
  var horizons: [HorizonState]
}

/// One key in one horizon.
struct HorizonState: Codable {
  var records = Baseline()
  var reads = Baseline()
  /// The key's buckets; nil while the key is idle in this horizon (it shrinks to its
  /// baselines).
  var ring: WindowRing?
  /// Whether the key is on the horizon's list of keys to judge.
  var listed = false
  /// Records of the key's last judged windows, one per hop, ending at `recentHop`.
  var recent: [Int64] = []
  var recentHop: Int64 = .min
  /// The end of the first window of the key's current run of flagged windows.
  var flaggedSince: Int64?
  /// The UTC day (days since 1970) whose busiest unflagged window is being tracked, and that
  /// window's log1p(records) and log1p(reads); -1 before any.
  var peakDay: Int64 = .min
  var peakRecords = -1.0
  var peakReads = -1.0

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

  static let recentLength = 12

  /// Appends the window ending at `hop` to the recent series, with zeros for the hops the key
  /// was not judged in (its window was empty).
  mutating func record(records: Int64, hop: Int64) {
    if recentHop != .min {
      let gap = min(Int(hop - recentHop) - 1, Self.recentLength)
      if gap > 0 { recent.append(contentsOf: repeatElement(0, count: gap)) }
    }
    // Trimmed before the append, so the series stays within the storage it has.
    if recent.count > Self.recentLength - 1 { recent.removeFirst(recent.count - (Self.recentLength - 1)) }
    recent.append(records)
    recentHop = hop
  }
}
