import ExfilWatchEvent

/// How far the active established keys' busiest windows today stand above their usual daily
/// peaks, for one metric at one judging step: the median rise (never below zero) per peer
/// group and per dimension. A rise shared by most of a key's peers (a holiday rush, an outage
/// backlog, every analyst's month-end export) is the peers' change, not each key's anomaly.
///
/// One value per metric lives in the detector and is recomputed at each judging step in the
/// storage of the last: at a few hundred keys per step, once a minute, fresh dictionaries and
/// arrays of rises were a tenth of the detector's time.
struct ConcurrentShift {
  /// Peers needed before their concurrent change is taken as a shared surge.
  static let minimumPeers = 5

  /// By the app the group's keys usually read through.
  private var groups: [Symbol: Double] = [:]
  private var dimensions: [Double?] = []
  /// The rise of the dimension with the most established keys.
  private var widest = 0.0
  /// Scratch: the rises by group, and by dimension.
  private var grouped: [(group: Symbol, rise: Double)] = []
  private var byDimension: [[Double]] = []

  /// Recomputes the shifts of `metric` from this step's candidates.
  mutating func compute(
    _ candidates: [WindowCandidate], metric: WindowEvidence.Metric, dimensionCount: Int
  ) {
    if byDimension.count != dimensionCount { byDimension = Array(repeating: [], count: dimensionCount) }
    for dimension in byDimension.indices { byDimension[dimension].removeAll(keepingCapacity: true) }
    grouped.removeAll(keepingCapacity: true)
    for candidate in candidates where candidate.established {
      let rise = metric == .records
        ? candidate.peakRecordsToday - candidate.recordsExpected.mean
        : candidate.peakReadsToday - candidate.readsExpected.mean
      byDimension[candidate.dimension].append(rise)
      if !candidate.group.isNone { grouped.append((candidate.group, rise)) }
    }
    dimensions.removeAll(keepingCapacity: true)
    for dimension in byDimension.indices {
      byDimension[dimension].sort()
      dimensions.append(Self.shift(sorted: byDimension[dimension][...]))
    }
    let widestDimension = byDimension.indices.max { byDimension[$0].count < byDimension[$1].count }!
    widest = dimensions[widestDimension] ?? 0
    groups.removeAll(keepingCapacity: true)
    grouped.sort { ($0.group, $0.rise) < ($1.group, $1.rise) }
    var start = 0
    while start < grouped.count {
      let group = grouped[start].group
      var end = start + 1
      while end < grouped.count && grouped[end].group == group { end += 1 }
      if end - start >= Self.minimumPeers {
        groups[group] = max(0, medianOfSorted(grouped[start..<end].lazy.map(\.rise)))
      }
      start = end
    }
  }

  /// A key's own peer group's rise where the group is big enough to tell, else its
  /// dimension's; a dimension with too few keys to tell (one console app, one office IP)
  /// takes the widest dimension's: the rush that lifts every agent lifts their app too.
  func shift(for candidate: WindowCandidate) -> Double {
    (groups.isEmpty ? nil : groups[candidate.group]) ?? dimensions[candidate.dimension] ?? widest
  }

  private static func shift(sorted rises: ArraySlice<Double>) -> Double? {
    rises.count >= minimumPeers ? max(0, medianOfSorted(rises)) : nil
  }
}

/// The middle value of values in ascending order (the mean of the middle two for an even
/// count).
func medianOfSorted<Values: Collection>(_ sorted: Values) -> Double where Values.Element == Double {
  let middle = sorted.index(sorted.startIndex, offsetBy: sorted.count / 2)
  guard sorted.count % 2 == 0 else { return sorted[middle] }
  return (sorted[sorted.index(middle, offsetBy: -1)] + sorted[middle]) / 2
}
