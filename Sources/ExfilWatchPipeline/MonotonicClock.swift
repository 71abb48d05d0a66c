import Glibc

/// Seconds on a clock that only goes forward, for elapsed times: a run's, a checkpoint's, and
/// the waits of `ThreadTimes`.
public enum MonotonicClock {
  public static func now() -> Double {
    seconds(on: CLOCK_MONOTONIC)
  }

  /// The time on `clock`, in seconds.
  static func seconds(on clock: clockid_t) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
