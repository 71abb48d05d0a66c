import Dispatch
import ExfilWatchEvent
import ExfilWatchParser
import Foundation
import Synchronization

/// Hands a merge's events to another handler that runs on a thread of its own, in batches, so
/// that decoding and parsing (the merge, on the calling thread) overlap detection (the wrapped
/// handler, on the worker).
///
/// ```
///  calling thread: decode ─ frame ─ parse ─ merge ──batches of 4,096 events──▶ worker: handler
///                  (up to `queueDepth` batches wait for the worker)
/// ```
///
/// The wrapped handler sees exactly the calls, in exactly the order, it would see without the
/// wrapper, and never two at once: events go through the worker in batches (at most
/// `queueDepth` waiting, so memory stays a few batches); every other call (a reject, an
/// input's end, a checkpoint) first waits until the worker has handled every event handed out
/// before it, then runs on the calling thread. Whatever the handler computes is therefore the
/// same as on one thread, only sooner. A hand-off per batch, never per event: the two threads
/// meet about once per 4,096 events. Several batches may wait, not one: the detector's time
/// per batch comes in bursts (every key's window judged at an hour's or four hours' end), and
/// with one batch waiting the merge stood still through each burst though it was ahead
/// overall.
///
/// An error the handler throws on the worker stops it; the error is thrown to the merge at a
/// later hand-off, as if `handleEvent` had thrown it (later events are not handled).
///
/// Stop it once (`stop()` or `finish()`), after the last event: nothing may be handed to it
/// after that.
public struct ConcurrentEventHandler<Wrapped: MergedEventHandler>: MergedEventHandler {
  private let worker: Worker
  private var batch: [AccessEvent] = []
  private let batchSize: Int
  /// Called on the calling thread after each batch is handed over, with the batch's size: for
  /// a progress display, which must not run beside the merge it reads.
  private let onBatch: (Int) -> Void
  /// Seconds the calling thread waited for the worker.
  private var callerWaited = 0.0
  /// Set by `stop()`.
  public private(set) var threadTimes: ThreadTimes?

  public init(
    wrapping handler: Wrapped, batchSize: Int = 4_096, queueDepth: Int = 4, onBatch: @escaping (Int) -> Void = { _ in }
  ) {
    precondition(queueDepth >= 1, "at least one batch must be able to wait")
    worker = Worker(handler: handler, queueDepth: queueDepth)
    marksSymbols = handler.marksSymbols
    self.batchSize = batchSize
    self.onBatch = onBatch
    batch.reserveCapacity(batchSize)
    worker.start()
  }

  /// Waits for the worker to handle every event handed out, stops it and returns the handler,
  /// for what follows the merge (the end of input, the last checkpoint).
  ///
  /// - Throws: what the handler threw on the worker, if it did.
  public mutating func finish() throws -> Wrapped {
    let handler = stop()
    if let failure { throw failure }
    return handler
  }

  /// `finish()` without the throw: the handler as the worker left it, also after a failure
  /// (`failure`), so that what it counted up to the failure can still be reported.
  public mutating func stop() -> Wrapped {
    precondition(threadTimes == nil, "stopped twice")
    do {
      try handOver()
    } catch {
      // The worker failed: the failure is kept (`failure`); the events not handed over are
      // not handled.
      batch.removeAll()
    }
    waitForWorker()
    worker.enqueue(nil)
    worker.filled.signal()
    worker.stopped.wait()
    // Back to its first value: libdispatch traps on a semaphore freed below it.
    worker.releaseSlots()
    threadTimes = ThreadTimes(
      callerWaited: callerWaited, workerBusy: worker.busySeconds, workerWaited: worker.waitedSeconds)
    return worker.handler
  }

  /// What the handler threw on the worker, once stopped.
  public var failure: (any Error)? {
    precondition(threadTimes != nil, "read once stopped")
    return worker.failure
  }

  public mutating func handleEvent(_ event: AccessEvent) throws {
    precondition(threadTimes == nil, "an event after the handler was stopped")
    batch.append(event)
    if batch.count >= batchSize { try handOver() }
  }

  public mutating func handleReject(_ reject: RejectedRecord, input: String) throws {
    try exclusively { try $0.handleReject(reject, input: input) }
  }

  public mutating func handleInputFailure(_ error: any Error, report: InputReport) throws {
    try exclusively { try $0.handleInputFailure(error, report: report) }
  }

  public mutating func handleInputFinished(_ report: InputReport) throws {
    try exclusively { try $0.handleInputFinished(report) }
  }

  /// The handler's answer as the worker last saw it, after its latest batch: asking the
  /// handler itself would mean waiting for the worker at every run of events.
  public var wantsCheckpoint: Bool { worker.wantsCheckpoint.load(ordering: .acquiring) }

  public mutating func handleCheckpoint(_ positions: [InputPosition?]) throws {
    try exclusively { try $0.handleCheckpoint(positions) }
  }

  public let marksSymbols: Bool

  /// Marks on the calling thread once the worker is idle: the merge then sweeps the table
  /// before it hands over the next batch, so the worker never reads it meanwhile.
  public mutating func markSymbols(into marks: inout SymbolMarks) throws {
    try exclusively { try $0.markSymbols(into: &marks) }
  }

  /// Queues the events gathered so far for the worker (once a place in the queue is free).
  private mutating func handOver() throws {
    precondition(threadTimes == nil, "handed over after the handler was stopped")
    guard !batch.isEmpty else { return }
    let count = batch.count
    let started = MonotonicClock.now()
    worker.free.wait()
    callerWaited += MonotonicClock.now() - started
    let (failed, emptied) = worker.takeEmptied()
    if let failure = failed {
      worker.free.signal()
      throw failure
    }
    var next = emptied ?? []
    next.reserveCapacity(batchSize)
    swap(&next, &batch)
    worker.enqueue(next)
    worker.filled.signal()
    onBatch(count)
  }

  /// Runs `body` on the handler once the worker has handled every event handed out.
  private mutating func exclusively(_ body: (inout Wrapped) throws -> Void) throws {
    try handOver()
    waitForWorker()
    defer { worker.releaseSlots() }
    if let failure = worker.failure { throw failure }
    try body(&worker.handler)
    // A checkpoint answers the handler's wish: asked again before the next batch, the old
    // answer would commit the same state twice.
    worker.wantsCheckpoint.store(worker.handler.wantsCheckpoint, ordering: .releasing)
  }

  /// Takes every place in the queue, counting the wait (for the worker to handle all it was
  /// handed): the worker then waits for the next batch, so this thread may touch the handler.
  private mutating func waitForWorker() {
    let started = MonotonicClock.now()
    for _ in 0..<worker.queueDepth { worker.free.wait() }
    callerWaited += MonotonicClock.now() - started
  }

  /// The worker thread and what the two threads share. Who may touch the handler is decided by
  /// the semaphores, not a lock: `free` counts the places in the queue, and a place is given
  /// back only once its batch is handled, so the calling thread that holds every place knows
  /// the worker is idle (waiting on `filled`); each semaphore orders the memory of what was
  /// done before its signal. The queue itself, the emptied batches and the failure are behind
  /// `lock` (an `NSLock`: the thread sanitizer does not see `Mutex`'s locking on Linux, and
  /// reported every use as a race).
  private final class Worker: @unchecked Sendable {
    var handler: Wrapped
    private let lock = NSLock()
    /// Batches handed over, oldest first; nil tells the worker to stop.
    private var queue: [[AccessEvent]?] = []
    /// Emptied batches, kept for their capacity.
    private var emptied: [[AccessEvent]] = []
    private var thrown: (any Error)?
    /// The worker thread's CPU time, and the time it waited for a batch: set as it stops.
    var busySeconds = 0.0
    var waitedSeconds = 0.0
    let wantsCheckpoint: Atomic<Bool>
    let queueDepth: Int
    let free: DispatchSemaphore
    let filled = DispatchSemaphore(value: 0)
    let stopped = DispatchSemaphore(value: 0)

    init(handler: Wrapped, queueDepth: Int) {
      self.handler = handler
      self.queueDepth = queueDepth
      free = DispatchSemaphore(value: queueDepth)
      wantsCheckpoint = Atomic(handler.wantsCheckpoint)
    }

    private func locked<Result>(_ body: () -> Result) -> Result {
      lock.lock()
      defer { lock.unlock() }
      return body()
    }

    /// What the handler threw.
    var failure: (any Error)? { locked { thrown } }

    func enqueue(_ batch: [AccessEvent]?) {
      locked { queue.append(batch) }
    }

    /// The failure so far, or else an emptied batch to fill next (if there is one).
    func takeEmptied() -> (failure: (any Error)?, emptied: [AccessEvent]?) {
      locked { thrown.map { ($0, nil) } ?? (nil, emptied.popLast()) }
    }

    /// Gives back every place in the queue (after `waitForWorker`).
    func releaseSlots() {
      for _ in 0..<queueDepth { free.signal() }
    }

    func start() {
      let thread = Thread { [self] in run() }
      thread.name = "exfilwatch-detect"
      thread.start()
    }

    private func run() {
      var waited = 0.0
      while true {
        let started = MonotonicClock.now()
        filled.wait()
        waited += MonotonicClock.now() - started
        guard var events = locked({ queue.removeFirst() }) else { break }
        if failure == nil {
          do {
            for event in events { try handler.handleEvent(event) }
          } catch {
            locked { thrown = error }
          }
        }
        wantsCheckpoint.store(handler.wantsCheckpoint, ordering: .releasing)
        events.removeAll(keepingCapacity: true)
        locked { emptied.append(events) }
        free.signal()
      }
      waitedSeconds = waited
      busySeconds = ThreadTimes.threadCPUSeconds()
      stopped.signal()
    }
  }
}
