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
public struct ConcurrentEventHandler<Wrapped: MergedEventHandler>: MergedEventHandler {
  private let worker: Worker
  private var batch: [AccessEvent] = []
  private let batchSize: Int
  /// Called on the calling thread after each batch is handed over, with the batch's size: for
  /// a progress display, which must not run beside the merge it reads.
  private let onBatch: (Int) -> Void
  /// Seconds the calling thread waited for the worker.
  private var callerWaited = 0.0

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
    do {
      try handOver()
    } catch {
      // The worker failed: the failure is kept and thrown below, once it has stopped.
      batch.removeAll()
    }
    waitForWorker()
    worker.shared.withLock { $0.queue.append(nil) }
    worker.filled.signal()
    worker.stopped.wait()
    // Back to its first value: libdispatch traps on a semaphore freed below it.
    worker.releaseSlots()
    if let failure = worker.failure { throw failure }
    return worker.handler
  }

  public mutating func handleEvent(_ event: AccessEvent) throws {
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

  /// How each thread spent its time, read after `finish()`: which one set the pace (the other
  /// waited for it) is what to make faster.
  public var threadTimes: ThreadTimes {
    ThreadTimes(
      callerWaited: callerWaited, workerBusy: worker.busySeconds, workerWaited: worker.waitedSeconds)
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
    guard !batch.isEmpty else { return }
    let count = batch.count
    let started = ThreadTimes.monotonicSeconds()
    worker.free.wait()
    callerWaited += ThreadTimes.monotonicSeconds() - started
    let (failure, emptied) = worker.shared.withLock { shared in
      (shared.failure, shared.failure == nil ? shared.emptied.popLast() : nil)
    }
    if let failure {
      worker.free.signal()
      throw failure
    }
    var next = emptied ?? []
    next.reserveCapacity(batchSize)
    swap(&next, &batch)
    worker.shared.withLock { $0.queue.append(next) }
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

  /// Takes every place in the queue, counting the wait: the worker has then handled every
  /// batch handed out and waits for the next, so this thread may touch the handler.
  private mutating func waitForWorker() {
    let started = ThreadTimes.monotonicSeconds()
    for _ in 0..<worker.queueDepth { worker.free.wait() }
    callerWaited += ThreadTimes.monotonicSeconds() - started
  }

  /// The worker thread and what the two threads share. Who may touch the handler is decided by
  /// the semaphores, not a lock: `free` counts the places in the queue, and a place is given
  /// back only once its batch is handled, so the calling thread that holds every place knows
  /// the worker is idle (waiting on `filled`); each semaphore orders the memory of what was
  /// done before its signal. The queue itself, the emptied batches and the failure are behind
  /// a lock.
  private final class Worker: @unchecked Sendable {
    struct Shared {
      /// Batches handed over, oldest first; nil tells the worker to stop.
      var queue: [[AccessEvent]?] = []
      /// Emptied batches, kept for their capacity.
      var emptied: [[AccessEvent]] = []
      var failure: (any Error)?
    }

    var handler: Wrapped
    let shared = Mutex(Shared())
    /// What the handler threw (also in `shared`, for the calling thread while the worker runs).
    var failure: (any Error)?
    /// The worker thread's CPU time, and the time it waited for a batch (set as it stops).
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
      while true {
        let started = ThreadTimes.monotonicSeconds()
        filled.wait()
        waitedSeconds += ThreadTimes.monotonicSeconds() - started
        guard var events = shared.withLock({ $0.queue.removeFirst() }) else { break }
        if failure == nil {
          do {
            for event in events { try handler.handleEvent(event) }
          } catch {
            failure = error
            shared.withLock { $0.failure = error }
          }
        }
        wantsCheckpoint.store(handler.wantsCheckpoint, ordering: .releasing)
        events.removeAll(keepingCapacity: true)
        shared.withLock { $0.emptied.append(events) }
        free.signal()
      }
      busySeconds = ThreadTimes.threadCPUSeconds()
      stopped.signal()
    }
  }
}
