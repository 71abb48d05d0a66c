import Glibc

/// How busy a key's busiest window of a day normally is: the median and the median absolute
/// deviation of log1p(volume) of the key's daily peak windows, over its last 14 active days.
///
/// Peaks, not every window: a nightly job's windows ramp up and down and an agent's 24-hour
/// windows hold a whole shift or a slice of one; the mean of all of them understates what the
/// key normally does at its busiest, which is what a bulk read must be compared with. Logs make
/// volumes that span six orders of magnitude comparable and turn "ten times more" into a fixed
/// distance. Median and MAD, not a running mean and variance: the days that are not like the
/// others (the first day of a replay that starts mid-shift, a short weekend shift, a day off
/// inside a 24-hour window, a month-end export) are a minority and move neither, where a mean
/// and variance let one of them widen the spread for weeks and hide an agent who reads three
/// times the usual every day. Flagged windows do not teach at all; the detector decides that.
struct Baseline {
  /// The daily peaks remembered, oldest overwritten first.
  static let memoryDays = 14

  // Internal, not private, only so that DetectorState can save and restore them.
  var peaks = InlineArray<14, Float>(repeating: 0)
  // Bytes, not Ints: a key keeps six baselines, and a million keys' idle baselines are most
  // of the detector's memory.
  var stored: UInt8 = 0
  var next: UInt8 = 0
  /// The median, and the MAD scaled to a standard deviation (×1.4826) and squared.
  var mean = 0.0
  var variance = 0.0
  /// The busiest of the remembered daily peaks.
  var busiest = 0.0
  /// Days learnt in all (not only those remembered): how much the key's own history counts.
  var days = 0.0

  mutating func learn(_ value: Double) {
    peaks[Int(next)] = Float(value)
    next = (next + 1) % UInt8(Self.memoryDays)
    stored = min(stored + 1, UInt8(Self.memoryDays))
    days += 1
    var values: [Double] = []
    values.reserveCapacity(Int(stored))
    for index in 0..<Int(stored) { values.append(Double(peaks[index])) }
    mean = median(values)
    busiest = values.max()!
    let deviation = 1.4826 * median(values.map { abs($0 - mean) })
    variance = deviation * deviation
  }
}

/// A baseline as a window is judged against it. A key with no day of its own yet is its
/// peers' typical key; after that its level is its own, and its spread is blended from its
/// own and its peers' in proportion to its days (a spread from two days says little).
struct Expectation {
  var mean: Double
  var spread: Double
  /// log1p of the busiest daily peak remembered: what the multiple is taken of, so a key
  /// with a busy day every week (an analyst's Monday export) is not flagged for having one.
  var busiest: Double
  /// Whether the key had no history of its own and was judged as its peers' typical key.
  var fromPeers: Bool

  init(own: Baseline, peers: PeerLevel, peerWeight: Double, spreadFloor: Double) {
    fromPeers = own.days == 0
    mean = fromPeers ? peers.mean : own.mean
    busiest = max(mean, fromPeers ? peers.busiest : own.busiest)
    let weight = own.days / (own.days + peerWeight)
    let variance = weight * own.variance + (1 - weight) * peers.variance
    spread = max(variance.squareRoot(), spreadFloor)
  }

  /// The typical window volume this expectation stands for, and the busiest.
  var typical: Double { max(0, expm1(mean)) }
  var busiestVolume: Double { max(0, expm1(busiest)) }
}

/// A dimension's typical key for one horizon and metric: the median of its established keys'
/// medians, spreads and busiest days.
struct PeerLevel: Equatable, Codable {
  var mean: Double
  var variance: Double
  var busiest: Double

  /// Before any key is established: a window of a few records, with a wide spread.
  static let unknown = PeerLevel(mean: 1, variance: 1, busiest: 1)

  init(mean: Double, variance: Double, busiest: Double) {
    self.mean = mean
    self.variance = variance
    self.busiest = busiest
  }

  /// The median key of `baselines` (not empty).
  init(typicalOf baselines: [Baseline]) {
    self.init(
      mean: median(baselines.map(\.mean)), variance: median(baselines.map(\.variance)),
      busiest: median(baselines.map(\.busiest)))
  }
}

/// The middle value (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
  var values = values
  return selectMedian(&values)
}

/// The median of `values` (not empty), which it reorders: found by selection, in time linear
/// in the count, where sorting took a tenth of the judging step at every hop. The same value
/// as the middle of the sorted values.
func selectMedian(_ values: inout [Double]) -> Double {
  precondition(!values.isEmpty, "the median of no values")
  let count = values.count
  return values.withUnsafeMutableBufferPointer { values in
    let upper = selectSmallest(count / 2, in: values)
    guard count % 2 == 0 else { return upper }
    // The values before the upper middle are the smaller half, in no order.
    var lower = values[0]
    for index in 1..<count / 2 where values[index] > lower { lower = values[index] }
    return (lower + upper) / 2
  }
}

/// The `k`th smallest (from 0) of `values`, which it reorders so that none before `k` is
/// larger and none after it smaller: Hoare's selection (pivot the median of three) with a
/// partition that does not branch on the values. The judging step takes medians of a few
/// hundred peers' rises twice per dimension and peer group at every hop, and a branch per
/// value, taken or not at random, mispredicted on every other one.
private func selectSmallest(_ k: Int, in values: UnsafeMutableBufferPointer<Double>) -> Double {
  var low = 0
  var high = values.count
  while high - low > 16 {
    let middle = low + (high - low) / 2
    let last = high - 1
    if values[middle] < values[low] { values.swapAt(middle, low) }
    if values[last] < values[low] { values.swapAt(last, low) }
    if values[last] < values[middle] { values.swapAt(last, middle) }
    values.swapAt(middle, last)
    let pivot = values[last]
    // Lomuto's scheme without a branch: each value is swapped to the boundary, which moves
    // past it only if it is below the pivot.
    var boundary = low
    for index in low..<last {
      let value = values[index]
      values[index] = values[boundary]
      values[boundary] = value
      boundary += value < pivot ? 1 : 0
    }
    values.swapAt(boundary, last)
    // Now low..<boundary holds the values below the pivot, boundary the pivot, and after it
    // none below.
    if k < boundary {
      high = boundary
      continue
    }
    if k == boundary { return pivot }
    let below = boundary - low
    let size = high - low
    low = boundary + 1
    // Few values below the pivot: the pivot's equals (ties are common) are gathered after it
    // the same way, so a run of them is not taken one value per pass.
    if below < size / 4 {
      var equalEnd = low
      for index in low..<high {
        let value = values[index]
        values[index] = values[equalEnd]
        values[equalEnd] = value
        equalEnd += value == pivot ? 1 : 0
      }
      if k < equalEnd { return pivot }
      low = equalEnd
    }
  }
  // A short run: sorted by insertion.
  for index in (low + 1)..<high {
    let value = values[index]
    var position = index
    while position > low && value < values[position - 1] {
      values[position] = values[position - 1]
      position -= 1
    }
    values[position] = value
  }
  return values[k]
}
