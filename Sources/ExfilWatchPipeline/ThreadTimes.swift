import Glibc

/// How the two threads of a `ConcurrentEventHandler` spent a run: the CPU time of the worker
/// (the detector and sinks) and the time each thread waited for the other. With two threads
/// the run takes as long as the busier one; the waits say which one that was, where the
/// total CPU time does not. (Waits are wall time: on a machine busy with other work they
/// also hold time a thread was ready but not running, and both threads may wait a lot.)
public struct ThreadTimes: Sendable, Equatable {
  /// Seconds the calling thread (decoding, parsing, merging) waited for the worker: for a
  /// place in the queue of batches (the oldest to be handled), or for the queue to empty
  /// before it called the handler itself (a reject, an input's end, a checkpoint) and at the
  /// end.
  public var callerWaited: Double
  /// The worker thread's CPU seconds.
  public var workerBusy: Double
  /// Seconds the worker waited for a batch: also while the calling thread called the handler
  /// itself (rejects, inputs' ends, checkpoints; that time counts as the calling thread's).
  public var workerWaited: Double

  /// The calling thread's CPU seconds so far (for the caller's own share).
  public static func threadCPUSeconds() -> Double {
    MonotonicClock.seconds(on: CLOCK_THREAD_CPUTIME_ID)
  }
}
