/// When the next commit of a run's state is due: `interval` seconds after the last one ended,
/// or longer after a slow commit, so that commits take at most a fifth of the run.
///
/// A state grows with the keys tracked (about 7 KB of it per busy key); at 100,000 busy keys
/// one commit took some 45 seconds, and a fixed 10-second interval left such a run committing
/// without end.
public struct CheckpointSchedule: Sendable {
  /// The shortest spacing, from `--checkpoint-interval`.
  public let interval: Double
  /// The spacing is at least this many times the last commit's duration.
  public static let slowCommitFactor = 4.0
  /// The clock reading at which the next commit is due.
  public private(set) var due: Double

  public init(interval: Double, now: Double) {
    self.interval = interval
    due = now + interval
  }

  public func isDue(now: Double) -> Bool { now >= due }

  /// Notes a commit that began at `start` and ended at `end`.
  public mutating func committed(start: Double, end: Double) {
    due = end + max(interval, Self.slowCommitFactor * (end - start))
  }
}
