import ExfilWatchDetector
import Foundation

/// The messages of one remote sink, sent in order by a thread of their own, retried until the
/// receiver takes them.
///
/// The detector only ever enqueues, so a receiver that is down, slow or hanging holds up
/// neither the reading of logs nor any other sink. Messages go strictly in the order the
/// findings were judged: a message waiting for a retry holds back the ones behind it, so a
/// receiver sees an incident's updates after its creation. What the receiver acknowledged and
/// what is still waiting are handed to the run at each checkpoint (`takeProgress()`): the first
/// are recorded as delivered, the second kept in the state file's spool and enqueued again, in
/// the same order, by the next run.
///
/// Waiting messages are held in memory; findings are incidents (a handful a day), so a queue
/// through an outage of days stays small.
public final class QueuedDelivery: @unchecked Sendable {
  /// Where the messages go, safe to print.
  public let destination: String
  /// A copy of the sender that renders findings on the caller's thread; the sending thread
  /// has its own.
  private let renderingSender: any MessageSender
  /// Seconds one attempt may take.
  public let attemptTimeout: Double
  /// The most messages kept waiting (and so spooled): a receiver down for weeks must not
  /// grow the queue and the state file without end.
  public let maxWaiting: Int
  private let policy: RetryPolicy
  private let report: @Sendable (DeliveryEvent) -> Void

  // Guarded by `condition`.
  private let condition = NSCondition()
  private var waiting: [OutgoingMessage]
  private var acknowledged: [OutgoingMessage] = []
  private var rejected: [OutgoingMessage] = []
  /// Attempts that did not deliver (retried or refused) since the last `takeProgress()`.
  private var failedAttempts = 0
  /// Counts every change to `waiting`, so a checkpoint rewrites a spool only when it changed.
  private var generation = 0
  /// Messages dropped unsent because the queue was full (`maxWaiting`).
  private var dropped = 0
  private var failuresInARow = 0
  private var nextAttempt = ContinuousClock.now
  /// Once closing: how long the queue may go without delivering before it stops.
  private var closingGrace: Duration?
  private var lastProgress = ContinuousClock.now
  private var stopped = false

  /// Starts the sending thread, with `spooled` (what earlier runs could not deliver) first.
  ///
  /// - Parameters:
  ///   - attemptTimeout: Seconds one attempt may take, connecting included; the end of a run
  ///     waits as long for the queue to make progress (`finish(allowing:)`).
  ///   - maxWaiting: The most messages kept waiting (see `makeRoom()`).
  ///   - report: Told of retries, recoveries and refusals, on the sending thread; of
  ///     messages dropped from a full queue, on the thread that enqueued.
  public init(
    sender: some MessageSender, spooled: [Finding] = [], attemptTimeout: Double,
    maxWaiting: Int = QueuedDelivery.defaultMaxWaiting,
    policy: RetryPolicy = RetryPolicy(), report: @escaping @Sendable (DeliveryEvent) -> Void
  ) {
    precondition(maxWaiting >= 1, "a queue holds at least the message being sent")
    destination = sender.destination
    renderingSender = sender
    waiting = spooled.map(sender.render)
    self.maxWaiting = maxWaiting
    self.attemptTimeout = attemptTimeout
    self.policy = policy
    self.report = report
    let worker = Thread { [self] in send(using: sender) }
    worker.name = "exfilwatch-sink"
    worker.start()
    if let dropped = condition.withLock({ makeRoom() }) { report(dropped) }
  }

  /// Findings waiting for one remote sink, at most: a week of a busy org's findings.
  public static let defaultMaxWaiting = 10_000

  /// Brings a full queue back to `maxWaiting` (with the lock held): first by dropping
  /// revisions of a finding that a later revision in the queue supersedes (receivers key on
  /// the finding's id, and the later revision carries the whole incident), then the oldest
  /// messages, which are lost for this sink and reported as such. The first message is never
  /// dropped: it may be the one being sent.
  ///
  /// - Returns: what to report, said by the caller once the lock is released.
  private func makeRoom() -> DeliveryEvent? {
    guard waiting.count > maxWaiting else { return nil }
    var latest: [String: Int] = [:]
    for message in waiting { latest[message.findingID] = max(latest[message.findingID] ?? 0, message.revision) }
    var excess = waiting.count - maxWaiting
    var kept = [waiting[0]]
    for message in waiting.dropFirst() {
      if excess > 0 && message.revision < latest[message.findingID]! {
        excess -= 1
      } else {
        kept.append(message)
      }
    }
    waiting = kept
    generation += 1
    guard excess > 0 else { return nil }
    waiting.removeSubrange(1...excess)
    let before = dropped
    dropped += excess
    // Said when the count of dropped messages passes a power of two: a handful of lines for
    // an outage of any length.
    guard before == 0 || before.leadingZeroBitCount != dropped.leadingZeroBitCount else { return nil }
    return .dropped(destination: destination, dropped: dropped, limit: maxWaiting)
  }

  /// Renders the finding and puts it at the back of the queue.
  public func enqueue(_ finding: Finding) {
    let message = renderingSender.render(finding)
    let dropped = condition.withLock {
      waiting.append(message)
      generation += 1
      defer { condition.broadcast() }
      return makeRoom()
    }
    if let dropped { report(dropped) }
  }

  /// What changed since the last call: the messages acknowledged and refused, and those still
  /// waiting (the one being sent included), in order.
  public func takeProgress() -> DeliveryProgress {
    condition.withLock {
      defer {
        acknowledged = []
        rejected = []
        failedAttempts = 0
      }
      return DeliveryProgress(
        acknowledged: acknowledged, rejected: rejected, waiting: waiting, generation: generation,
        failedAttempts: failedAttempts, dropped: dropped)
    }
  }

  /// Stops taking messages once the queue is empty, and waits for that as long as the queue
  /// keeps delivering: until `seconds` pass without a message delivered or refused.
  ///
  /// A receiver that works through a backlog slowly (rate limits, `Retry-After`) is given the
  /// time it needs; one that is down or hangs costs `seconds`: a retry due later than that is
  /// not waited for, and an attempt still running then is left behind, its message among the
  /// waiting ones (to be spooled).
  ///
  /// - Returns: Whether every message was delivered or refused.
  @discardableResult
  public func finish(allowing seconds: Double) -> Bool {
    beginClosing(allowing: seconds)
    return waitUntilClosed()
  }

  /// `finish(allowing:)` in two steps, so several queues drain side by side: start closing
  /// each, then wait for each.
  public func beginClosing(allowing seconds: Double) {
    condition.withLock {
      closingGrace = .milliseconds(Int64(max(seconds, 0) * 1000))
      lastProgress = ContinuousClock.now
      condition.broadcast()
    }
  }

  /// Waits until the queue stopped or went `seconds` (as given to `beginClosing`) without
  /// progress; whether every message was delivered or refused.
  @discardableResult
  public func waitUntilClosed() -> Bool {
    condition.withLock {
      while !stopped, let deadline = closingDeadline, ContinuousClock.now < deadline {
        wait(until: deadline)
      }
      return waiting.isEmpty
    }
  }

  /// When closing, the moment the queue gives up: `closingGrace` after the last progress.
  private var closingDeadline: ContinuousClock.Instant? {
    closingGrace.map { lastProgress + $0 }
  }

  /// Waits on the condition until `instant` at most, in slices of a second so that a step of
  /// the wall clock (which `NSCondition` waits by) cannot stretch a wait.
  private func wait(until instant: ContinuousClock.Instant) {
    let left = ContinuousClock.now.duration(to: instant)
    guard left > .zero else { return }
    _ = condition.wait(until: Date(timeIntervalSinceNow: min(left.seconds, 1)))
  }

  /// The sending thread: one message at a time, from the front.
  private func send(using sender: some MessageSender) {
    var sender = sender
    condition.lock()
    while let message = nextMessage() {
      condition.unlock()
      let outcome = sender.send(message, timeout: attemptTimeout)
      condition.lock()
      if let event = record(outcome, of: message) {
        condition.unlock()
        report(event)
        condition.lock()
      }
    }
    stopped = true
    condition.broadcast()
    condition.unlock()
    sender.close()
  }

  /// Waits (holding the lock between waits) for the message due next; `nil` when closing and
  /// there is nothing left that can be sent before the queue gives up.
  private func nextMessage() -> OutgoingMessage? {
    while true {
      let now = ContinuousClock.now
      if let deadline = closingDeadline, waiting.isEmpty || max(now, nextAttempt) >= deadline {
        return nil
      }
      if let first = waiting.first, nextAttempt <= now { return first }
      wait(until: waiting.isEmpty ? now + .seconds(1) : nextAttempt)
    }
  }

  private func record(_ outcome: SendOutcome, of message: OutgoingMessage) -> DeliveryEvent? {
    switch outcome {
    case .delivered:
      waiting.removeFirst()
      generation += 1
      acknowledged.append(message)
      lastProgress = ContinuousClock.now
      defer { failuresInARow = 0 }
      return failuresInARow > 0 ? .recovered(destination: destination, failedAttempts: failuresInARow) : nil
    case .retry(let retryAfter, let reason):
      failuresInARow += 1
      failedAttempts += 1
      let delay = policy.delay(
        afterFailures: failuresInARow, retryAfter: retryAfter, random: Double.random(in: 0 ... 1))
      nextAttempt = ContinuousClock.now + .milliseconds(Int64(delay * 1000))
      return .retrying(
        destination: destination, reason: reason, delay: delay, failedAttempts: failuresInARow,
        waiting: waiting.count)
    case .rejected(let reason):
      failedAttempts += 1
      waiting.removeFirst()
      generation += 1
      rejected.append(message)
      lastProgress = ContinuousClock.now
      // The refusal says the receiver is up: the next message goes at once.
      failuresInARow = 0
      nextAttempt = ContinuousClock.now
      return .rejected(destination: destination, findingID: message.findingID, revision: message.revision, reason: reason)
    }
  }
}

/// What a remote sink did since the run last asked.
public struct DeliveryProgress: Sendable, Equatable {
  /// Taken by the receiver: record them as delivered.
  public var acknowledged: [OutgoingMessage]
  /// Refused for good by the receiver (already reported).
  public var rejected: [OutgoingMessage]
  /// Not delivered yet, in order: what the spool holds after this checkpoint.
  public var waiting: [OutgoingMessage]
  /// Changes when `waiting` changes.
  public var generation: Int
  /// Attempts that did not deliver (retried or refused), for the sink's failure count.
  public var failedAttempts = 0
  /// Messages dropped unsent from a full queue since the sink was opened.
  public var dropped = 0
}

/// Something an operator should hear about a remote sink.
public enum DeliveryEvent: Sendable, Equatable, CustomStringConvertible {
  case retrying(destination: String, reason: String, delay: Double, failedAttempts: Int, waiting: Int)
  case recovered(destination: String, failedAttempts: Int)
  case rejected(destination: String, findingID: String, revision: Int, reason: String)
  case dropped(destination: String, dropped: Int, limit: Int)

  public var description: String {
    switch self {
    case .retrying(let destination, let reason, let delay, let failures, let waiting):
      let plural = waiting == 1 ? "finding waits" : "findings wait"
      return "\(destination): \(reason); attempt \(failures) failed, retrying in "
        + "\(String(format: "%.1f", delay)) s (\(waiting) \(plural), in order)"
    case .recovered(let destination, let failures):
      return "\(destination): delivering again after \(failures) failed attempt\(failures == 1 ? "" : "s")"
    case .rejected(let destination, let id, let revision, let reason):
      return "\(destination): finding \(id) revision \(revision) refused, not retried: \(reason)"
    case .dropped(let destination, let dropped, let limit):
      return "\(destination): \(limit) findings already wait for it: \(dropped) of the oldest dropped so far, "
        + "never to be sent to it (the local sinks have them; raise --max-spool to keep more)"
    }
  }
}

extension Duration {
  fileprivate var seconds: Double {
    let (seconds, attoseconds) = components
    return Double(seconds) + Double(attoseconds) / 1e18
  }
}
