import Glibc

/// How the two threads of a `ConcurrentEventHandler` spent a run: the CPU time of the worker
/// (the detector and sinks) and the time each thread waited for the other. With two threads
/// the run takes as long as the busier one; the waits say which one that was, where the
/// total CPU time does not.
public struct ThreadTimes: Sendable, Equatable {
  /// Seconds the calling thread (decoding, parsing, merging) waited for the worker to finish
  /// its last batch before it could hand over the next, or call the handler itself.
  public var callerWaited: Double
  /// The worker thread's CPU seconds.
  public var workerBusy: Double
  /// Seconds the worker waited for a batch (including while the last input was read to its
  /// end).
  public var workerWaited: Double

  /// The calling thread's CPU seconds so far (for the caller's own share).
  public static func threadCPUSeconds() -> Double {
    seconds(on: CLOCK_THREAD_CPUTIME_ID)
  }

  static func monotonicSeconds() -> Double {
    seconds(on: CLOCK_MONOTONIC)
  }

  private static func seconds(on clock: clockid_t) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
