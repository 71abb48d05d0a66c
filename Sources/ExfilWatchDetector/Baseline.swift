import Glibc

/// How busy a key's busiest window of a day normally is, learnt online: an exponentially
/// weighted mean and variance of log1p(volume) of the key's daily peak window, over the days
/// the key was active.
///
/// Peaks, not every window: a nightly job's windows ramp up and down and an agent's 24-hour
/// windows hold a whole shift or a slice of one; the mean of all of them understates what the
/// key normally does at its busiest, which is what a bulk read must be compared with. Logs make
/// volumes that span six orders of magnitude comparable and turn "ten times more" into a fixed
/// distance. Learning is robust: once the baseline has history, a value is clipped to three
/// standard deviations before it teaches (and flagged windows do not teach at all; the
/// detector decides that).
struct Baseline {
  private(set) var mean = 0.0
  private(set) var variance = 0.0
  /// Days learnt (a weight, not capped: the rate stops falling at the minimum rate).
  private(set) var days = 0.0

  static let clipSigmas = 3.0
  /// Days learnt before values are clipped: the first days set the spread.
  static let clipAfterDays = 5.0

  mutating func learn(_ value: Double, minimumRate: Double, spreadFloor: Double) {
    var value = value
    if days >= Self.clipAfterDays {
      let limit = Self.clipSigmas * max(variance.squareRoot(), spreadFloor)
      value = min(max(value, mean - limit), mean + limit)
    }
    days += 1
    let rate = max(1 / days, minimumRate)
    let delta = value - mean
    mean += rate * delta
    variance = (1 - rate) * (variance + rate * delta * delta)
  }

}

/// A baseline as a window is judged against it. A key with no day of its own yet is its
/// peers' typical key; after that its level is its own, and its spread is blended from its
/// own and its peers' in proportion to its days (a spread from two days says little).
struct Expectation {
  var mean: Double
  var spread: Double
  /// Whether the key had no history of its own and was judged as its peers' typical key.
  var fromPeers: Bool

  init(own: Baseline, peers: PeerLevel, peerWeight: Double, spreadFloor: Double) {
    fromPeers = own.days == 0
    mean = fromPeers ? peers.mean : own.mean
    let weight = own.days / (own.days + peerWeight)
    let variance = weight * own.variance + (1 - weight) * peers.variance
    spread = max(variance.squareRoot(), spreadFloor)
  }

  /// The typical window volume this expectation stands for.
  var typical: Double { max(0, expm1(mean)) }
}

/// A dimension's typical key for one horizon and metric: the median of its established keys'
/// means and variances.
struct PeerLevel: Equatable {
  var mean: Double
  var variance: Double

  /// Before any key is established: a window of a few records, with a wide spread.
  static let unknown = PeerLevel(mean: 1, variance: 1)
}
