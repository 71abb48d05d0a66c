/// How long a remote sink waits before sending a message again after a failed attempt.
///
/// Exponential backoff with "equal jitter" (half the delay fixed, half random): many ExfilWatch
/// instances cut off by one receiver outage do not all come back in the same second, and no
/// retry comes sooner than half its step. A receiver's own `Retry-After` is honoured, never
/// undercut, and capped so a misconfigured receiver cannot park the queue for a day.
public struct RetryPolicy: Sendable, Equatable {
  /// The delay before the first retry, in seconds; each later one doubles it.
  public var initialDelay: Double
  /// The longest delay between two attempts, in seconds: how late a recovered receiver hears
  /// from a long-running `tail` at worst.
  public var maximumDelay: Double
  /// The longest `Retry-After` taken as given, in seconds.
  public var maximumRetryAfter: Double

  public init(initialDelay: Double = 0.5, maximumDelay: Double = 60, maximumRetryAfter: Double = 3600) {
    self.initialDelay = initialDelay
    self.maximumDelay = maximumDelay
    self.maximumRetryAfter = maximumRetryAfter
  }

  /// The wait before attempt `failures + 1`, after `failures` failed attempts in a row.
  ///
  /// - Parameters:
  ///   - failures: Failed attempts so far, at least 1.
  ///   - retryAfter: What the receiver asked for, in seconds, if anything.
  ///   - random: A number in `0 ... 1`.
  public func delay(afterFailures failures: Int, retryAfter: Double?, random: Double) -> Double {
    let doublings = min(max(failures - 1, 0), 30)
    let step = min(maximumDelay, initialDelay * Double(1 << doublings))
    let jittered = step / 2 + step / 2 * min(max(random, 0), 1)
    guard let retryAfter, retryAfter.isFinite, retryAfter > 0 else { return jittered }
    return max(jittered, min(retryAfter, maximumRetryAfter))
  }
}
