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
///  calling thread: decode ─ frame ─ parse ─ merge ──batch of 4,096 events──▶ worker: handler
///                  (fills the next batch while the worker handles the last one)
/// ```
///
/// The wrapped handler sees exactly the calls, in exactly the order, it would see without the
/// wrapper, and never two at once: events go through the worker in batches (one batch waiting
/// at most, so memory stays two batches); every other call (a reject, an input's end, a
/// checkpoint) first waits until the worker has handled every event handed out before it, then
/// runs on the calling thread. Whatever the handler computes is therefore the same as on one
/// thread, only sooner. A hand-off per batch, never per event: the two threads meet about
/// once per 4,096 events.
///
/// An error the handler throws on the worker stops it; the error is thrown to the merge at the
/// next hand-off, as if `handleEvent` had thrown it (later events are not handled).
public struct ConcurrentEventHandler<Wrapped: MergedEventHandler>: MergedEventHandler {
  private let worker: Worker
  private var batch: [AccessEvent] = []
  private let batchSize: Int
  /// Called on the calling thread after each batch is handed over, with the batch's size: for
  /// a progress display, which must not run beside the merge it reads.
  private let onBatch: (Int) -> Void
  /// Seconds the calling thread waited for the worker to finish a batch.
  private var callerWaited = 0.0

  public init(wrapping handler: Wrapped, batchSize: Int = 4_096, onBatch: @escaping (Int) -> Void = { _ in }) {
    worker = Worker(handler: handler)
    marksSymbols = handler.marksSymbols
    self.batchSize = batchSize
    self.onBatch = onBatch
    batch.reserveCapacity(batchSize)
    worker.start(spareCapacity: batchSize)
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
    worker.mailbox = nil
    worker.pending.signal()
    worker.stopped.wait()
    // Back to its first value: libdispatch traps on a semaphore freed below it.
    worker.idle.signal()
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

  /// Hands the events gathered so far to the worker (after it finished the previous batch).
  private mutating func handOver() throws {
    guard !batch.isEmpty else { return }
    let count = batch.count
    waitForWorker()
    if let failure = worker.failure {
      worker.idle.signal()
      throw failure
    }
    worker.mailbox = batch
    batch = worker.spare
    worker.spare = []
    worker.pending.signal()
    onBatch(count)
  }

  /// Runs `body` on the handler once the worker has handled every event handed out.
  private mutating func exclusively(_ body: (inout Wrapped) throws -> Void) throws {
    try handOver()
    waitForWorker()
    defer { worker.idle.signal() }
    if let failure = worker.failure { throw failure }
    try body(&worker.handler)
    // A checkpoint answers the handler's wish: asked again before the next batch, the old
    // answer would commit the same state twice.
    worker.wantsCheckpoint.store(worker.handler.wantsCheckpoint, ordering: .releasing)
  }

  /// Takes the `idle` token, counting the wait.
  private mutating func waitForWorker() {
    let started = ThreadTimes.monotonicSeconds()
    worker.idle.wait()
    callerWaited += ThreadTimes.monotonicSeconds() - started
  }

  /// The worker thread and what the two threads share. Who may touch the shared fields is
  /// decided by the semaphores, not a lock: `idle` is a token held by the worker while it
  /// handles a batch and by the calling thread while it hands over or calls the handler
  /// itself, so exactly one of them touches `handler`, `mailbox`, `spare` and `failure` at a
  /// time, and each semaphore orders their memory.
  private final class Worker: @unchecked Sendable {
    var handler: Wrapped
    /// The batch handed over; nil tells the worker to stop.
    var mailbox: [AccessEvent]?
    /// An emptied batch, kept for its capacity.
    var spare: [AccessEvent] = []
    var failure: (any Error)?
    /// The worker thread's CPU time, and the time it waited for a batch (set as it stops).
    var busySeconds = 0.0
    var waitedSeconds = 0.0
    let wantsCheckpoint: Atomic<Bool>
    let idle = DispatchSemaphore(value: 1)
    let pending = DispatchSemaphore(value: 0)
    let stopped = DispatchSemaphore(value: 0)

    init(handler: Wrapped) {
      self.handler = handler
      wantsCheckpoint = Atomic(handler.wantsCheckpoint)
    }

    func start(spareCapacity: Int) {
      spare.reserveCapacity(spareCapacity)
      let thread = Thread { [self] in run() }
      thread.name = "exfilwatch-detect"
      thread.start()
    }

    private func run() {
      while true {
        let started = ThreadTimes.monotonicSeconds()
        pending.wait()
        waitedSeconds += ThreadTimes.monotonicSeconds() - started
        guard var events = mailbox else { break }
        mailbox = nil
        if failure == nil {
          do {
            for event in events { try handler.handleEvent(event) }
          } catch {
            failure = error
          }
        }
        wantsCheckpoint.store(handler.wantsCheckpoint, ordering: .releasing)
        events.removeAll(keepingCapacity: true)
        spare = events
        idle.signal()
      }
      busySeconds = ThreadTimes.threadCPUSeconds()
      stopped.signal()
    }
  }
}
