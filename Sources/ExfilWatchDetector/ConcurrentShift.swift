import ExfilWatchEvent

/// How far the active established keys' busiest windows today stand above their usual daily
/// peaks at one judging step, for records and for reads: the median rise (never below zero)
/// per peer group and per dimension, and from those each candidate's shift. A rise shared by
/// most of a key's peers (a holiday rush, an outage backlog, every analyst's month-end export)
/// is the peers' change, not each key's anomaly.
///
/// One value lives in the detector and is recomputed at each judging step in the storage of
/// the last: at a few hundred keys per step, once a minute, fresh dictionaries and arrays of
/// rises were a tenth of the detector's time. Medians are selected, not sorted, and each
/// candidate's shift is worked out here once, not looked up by group per candidate.
struct ConcurrentShift {
  /// Peers needed before their concurrent change is taken as a shared surge.
  static let minimumPeers = 5

  /// By candidate (the order `compute` was given): the shifts its window is judged with.
  private(set) var records: [Double] = []
  private(set) var reads: [Double] = []
  // Scratch: the rises by candidate, with each candidate's dimension and whether it is
  // established; the established ones' rises by dimension and their medians; those of one
  // group; and the candidates with a group as (group << 32 | candidate), sorted to bring each
  // group together.
  private var recordRises: [Double] = []
  private var readRises: [Double] = []
  /// By candidate: its dimension, and whether it is established (else its rise is no peer's).
  private var dimensionOf: [Int32] = []
  private var isEstablished: [Bool] = []
  private var byDimension: [[Double]] = []
  private var dimensionShifts: [Double?] = []
  private var groupRises: [Double] = []
  private var byGroup: [UInt64] = []

  /// Recomputes `records` and `reads` for this step's candidates.
  mutating func compute(_ candidates: [WindowCandidate], dimensionCount: Int) {
    recordRises.removeAll(keepingCapacity: true)
    readRises.removeAll(keepingCapacity: true)
    byGroup.removeAll(keepingCapacity: true)
    dimensionOf.removeAll(keepingCapacity: true)
    isEstablished.removeAll(keepingCapacity: true)
    // By index: iterating the candidates would copy each (some 150 bytes) per use.
    for position in candidates.indices {
      recordRises.append(candidates[position].peakRecordsToday - candidates[position].recordsExpected.mean)
      readRises.append(candidates[position].peakReadsToday - candidates[position].readsExpected.mean)
      dimensionOf.append(Int32(candidates[position].dimension))
      isEstablished.append(candidates[position].established)
      let group = candidates[position].group
      if !group.isNone { byGroup.append(UInt64(group.rawValue) << 32 | UInt64(position)) }
    }
    byGroup.sort()
    // Filled in their own storage, taken out of `self` meanwhile.
    var shifts: [Double] = []
    swap(&shifts, &records)
    fill(&shifts, rises: recordRises, dimensionCount: dimensionCount)
    swap(&shifts, &records)
    swap(&shifts, &reads)
    fill(&shifts, rises: readRises, dimensionCount: dimensionCount)
    swap(&shifts, &reads)
  }

  /// Each candidate's shift for one metric: its own peer group's rise where the group has
  /// enough established keys to tell, else its dimension's; a dimension with too few keys to
  /// tell (one console app, one office IP) takes the widest dimension's: the rush that lifts
  /// every agent lifts their app too.
  private mutating func fill(
    _ shifts: inout [Double], rises: [Double], dimensionCount: Int
  ) {
    if byDimension.count != dimensionCount { byDimension = Array(repeating: [], count: dimensionCount) }
    for dimension in byDimension.indices { byDimension[dimension].removeAll(keepingCapacity: true) }
    for position in rises.indices where isEstablished[position] {
      byDimension[Int(dimensionOf[position])].append(rises[position])
    }
    let widestDimension = byDimension.indices.max { byDimension[$0].count < byDimension[$1].count }!
    dimensionShifts.removeAll(keepingCapacity: true)
    for dimension in byDimension.indices {
      let enough = byDimension[dimension].count >= Self.minimumPeers
      dimensionShifts.append(enough ? max(0, selectMedian(&byDimension[dimension])) : nil)
    }
    let widest = dimensionShifts[widestDimension] ?? 0
    shifts.removeAll(keepingCapacity: true)
    for dimension in dimensionOf { shifts.append(dimensionShifts[Int(dimension)] ?? widest) }
    var start = 0
    while start < byGroup.count {
      let group = byGroup[start] >> 32
      var end = start + 1
      while end < byGroup.count && byGroup[end] >> 32 == group { end += 1 }
      groupRises.removeAll(keepingCapacity: true)
      for member in byGroup[start..<end] where isEstablished[Int(member & 0xFFFF_FFFF)] {
        groupRises.append(rises[Int(member & 0xFFFF_FFFF)])
      }
      if groupRises.count >= Self.minimumPeers {
        let shift = max(0, selectMedian(&groupRises))
        for member in byGroup[start..<end] { shifts[Int(member & 0xFFFF_FFFF)] = shift }
      }
      start = end
    }
  }
}
