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
public final class QueuedDelivery: @unchecked Sendable {
  /// Where the messages go, safe to print.
  public let destination: String
  private let renderer: any MessageSender
  /// Seconds one attempt may take.
  public let attemptTimeout: Double
  private let policy: RetryPolicy
  private let report: @Sendable (DeliveryEvent) -> Void

  // Guarded by `condition`.
  private let condition = NSCondition()
  private var waiting: [OutgoingMessage]
  private var acknowledged: [OutgoingMessage] = []
  private var rejected: [OutgoingMessage] = []
  private var failuresInARow = 0
  private var nextAttempt = ContinuousClock.now
  private var closingDeadline: ContinuousClock.Instant?
  private var stopped = false

  /// Starts the sending thread, with `spooled` (what earlier runs could not deliver) first.
  ///
  /// - Parameters:
  ///   - attemptTimeout: Seconds one attempt may take, connecting included; the end of a run
  ///     gives the queue as long to drain (`finish(by:)`).
  ///   - report: Told of retries, recoveries and refusals, on the sending thread.
  public init(
    sender: some MessageSender, spooled: [OutgoingMessage] = [], attemptTimeout: Double,
    policy: RetryPolicy = RetryPolicy(), report: @escaping @Sendable (DeliveryEvent) -> Void
  ) {
    destination = sender.destination
    renderer = sender
    waiting = spooled
    self.attemptTimeout = attemptTimeout
    self.policy = policy
    self.report = report
    let worker = Thread { [self] in send(using: sender) }
    worker.name = "exfilwatch-sink"
    worker.start()
  }

  /// Renders the finding and puts it at the back of the queue, unless the same revision is
  /// already waiting (a spooled message judged again by a resumed run).
  public func enqueue(_ finding: Finding) {
    let message = renderer.render(finding)
    condition.withLock {
      guard !waiting.contains(where: { $0.isSameRevision(as: message) }) else { return }
      waiting.append(message)
      condition.broadcast()
    }
  }

  /// What changed since the last call: the messages acknowledged and refused, and those still
  /// waiting (the one being sent included), in order.
  public func takeProgress() -> DeliveryProgress {
    condition.withLock {
      defer {
        acknowledged = []
        rejected = []
      }
      return DeliveryProgress(acknowledged: acknowledged, rejected: rejected, waiting: waiting)
    }
  }

  /// Stops taking messages once the queue is empty, and waits until `deadline` at most for
  /// that.
  ///
  /// A retry due after the deadline is not waited for, and an attempt still running when it
  /// passes is left behind: its message stays among the waiting ones (to be spooled), so a
  /// hanging receiver holds up the end of a run only until the deadline. Several queues given
  /// the same deadline drain side by side.
  ///
  /// - Returns: Whether every message was delivered or refused.
  @discardableResult
  public func finish(by deadline: ContinuousClock.Instant) -> Bool {
    condition.withLock {
      closingDeadline = deadline
      condition.broadcast()
      while !stopped {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { break }
        _ = condition.wait(until: Date(timeIntervalSinceNow: remaining.seconds))
      }
      return waiting.isEmpty
    }
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
  /// there is nothing left that can be sent before the deadline.
  private func nextMessage() -> OutgoingMessage? {
    while true {
      let now = ContinuousClock.now
      if let deadline = closingDeadline, waiting.isEmpty || max(now, nextAttempt) >= deadline {
        return nil
      }
      if let first = waiting.first, nextAttempt <= now { return first }
      if waiting.isEmpty {
        condition.wait()
      } else {
        _ = condition.wait(until: Date(timeIntervalSinceNow: now.duration(to: nextAttempt).seconds))
      }
    }
  }

  private func record(_ outcome: SendOutcome, of message: OutgoingMessage) -> DeliveryEvent? {
    switch outcome {
    case .delivered:
      waiting.removeFirst()
      acknowledged.append(message)
      defer { failuresInARow = 0 }
      return failuresInARow > 0 ? .recovered(destination: destination, failedAttempts: failuresInARow) : nil
    case .retry(let retryAfter, let reason):
      failuresInARow += 1
      let delay = policy.delay(
        afterFailures: failuresInARow, retryAfter: retryAfter, random: Double.random(in: 0 ... 1))
      nextAttempt = ContinuousClock.now + .milliseconds(Int64(delay * 1000))
      return .retrying(
        destination: destination, reason: reason, delay: delay, failedAttempts: failuresInARow,
        waiting: waiting.count)
    case .rejected(let reason):
      waiting.removeFirst()
      rejected.append(message)
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
}

/// Something an operator should hear about a remote sink.
public enum DeliveryEvent: Sendable, Equatable, CustomStringConvertible {
  case retrying(destination: String, reason: String, delay: Double, failedAttempts: Int, waiting: Int)
  case recovered(destination: String, failedAttempts: Int)
  case rejected(destination: String, findingID: String, revision: Int, reason: String)

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
    }
  }
}

extension OutgoingMessage {
  func isSameRevision(as other: OutgoingMessage) -> Bool {
    findingID == other.findingID && revision == other.revision
  }
}

extension Duration {
  fileprivate var seconds: Double {
    let (seconds, attoseconds) = components
    return Double(seconds) + Double(attoseconds) / 1e18
  }
}
