import ExfilWatchEvent

/// Keeps one record with a wrong clock from moving event time for everyone.
///
/// The detector's watermark follows the newest event time, so a single record stamped a year
/// ahead would judge every open window at once and make every later record too late: one bad
/// clock would blind the detector. Event time therefore only jumps ahead by more than
/// `maxJump` when `confirmations` events in a row agree with the jump (a gap in the logs is
/// followed by many records after it; a bad clock is an island among records that are not).
/// The events past the bound wait here meanwhile, and the first events of a run wait until
/// there are `confirmations` of them, so a wrong first record cannot set the start either.
/// Events found to be islands are counted and not judged.
struct EventTimeGuard: Sendable, Equatable, Codable {
  /// Events waiting for a decision, in arrival order: the first ones of a run until the run has
  /// started, then those past the jump bound.
  var held: [AccessEvent] = []
  /// Whether the run's start time is chosen (from the first held events).
  var started = false

  /// Whether `event` goes straight on: the run has started, nothing waits, and it is not past
  /// the bound. The test every event takes, so it is kept to three comparisons.
  @inline(__always)
  func admitsDirectly(_ event: AccessEvent, newest: Int64?, maxJump: Int64) -> Bool {
    guard started, held.isEmpty, let newest else { return false }
    return event.time <= newest &+ maxJump
  }

  /// Of the first events, those after a gap of more than `maxJump` above their median's run
  /// of times (times with no such gap between them): a wrong first record is such an outlier.
  static func startSample(_ events: [AccessEvent], maxJump: Int64) -> (start: Int64, ahead: Set<Int>) {
    let times = events.map(\.time).sorted()
    let middle = times.count / 2
    var top = middle
    while top + 1 < times.count, times[top + 1] <= times[top] &+ maxJump { top += 1 }
    var bottom = middle
    while bottom > 0, times[bottom - 1] >= times[bottom] &- maxJump { bottom -= 1 }
    let run = times[bottom]...times[top]
    let ahead = Set(events.indices.filter { events[$0].time > run.upperBound })
    // The first event of the run in arrival order starts the run, as the first event does
    // when nothing is wrong; earlier-stamped ones are then late, as they would be anyway.
    let start = events.first { run.contains($0.time) }!.time
    return (start, ahead)
  }
}

extension Detector {
  /// Events that were past the jump bound and found to be islands (a wrong clock), not judged.
  public var clockOutliers: Int { statistics.clockOutliers }

  /// An event that did not go straight on: held, or it decides about the ones held.
  func guardEventTime(_ event: AccessEvent) {
    guard timeGuard.started, let newest = statistics.newestEventTime else {
      timeGuard.held.append(event)
      if timeGuard.held.count >= configuration.jumpConfirmations { startFromHeld() }
      return
    }
    if event.time > newest &+ configuration.maxTimeJump {
      timeGuard.held.append(event)
      if timeGuard.held.count >= configuration.jumpConfirmations { releaseHeld() }
    } else {
      discardHeld()
      admit(event)
    }
  }

  /// Starts the run with the first events that came, fewer than `jumpConfirmations`: a live
  /// source went quiet before more came (`tail --idle-close`), and they must be judged.
  public func startWithHeldEvents() {
    if !timeGuard.started { startFromHeld() }
  }

  /// Starts the run from the first events: those far ahead of the others are outliers.
  func startFromHeld() {
    let events = timeGuard.held
    timeGuard.held = []
    timeGuard.started = true
    guard !events.isEmpty else { return }
    let (start, ahead) = EventTimeGuard.startSample(events, maxJump: configuration.maxTimeJump)
    self.start(at: start)
    for (index, event) in events.enumerated() {
      if ahead.contains(index) { countOutlier(event) } else { admit(event) }
    }
  }

  /// The held events agree on a jump (or the input ended, or event time caught up with them):
  /// they are judged, in the order they came.
  func releaseHeld() {
    let events = timeGuard.held
    timeGuard.held = []
    for event in events { admit(event) }
  }

  /// Events near the newest resumed before the held ones were confirmed: those were islands.
  private func discardHeld() {
    for event in timeGuard.held { countOutlier(event) }
    timeGuard.held = []
  }

  private func countOutlier(_ event: AccessEvent) {
    statistics.clockOutliers += 1
    if statistics.firstClockOutlier == nil { statistics.firstClockOutlier = event.origin }
  }

  /// Event time moved on without events (`advanceWatermark`): held events it has caught up
  /// with are no longer a jump.
  func releaseHeldWithinBound() {
    guard timeGuard.started, let newest = statistics.newestEventTime, !timeGuard.held.isEmpty,
      timeGuard.held.allSatisfy({ $0.time <= newest &+ configuration.maxTimeJump })
    else { return }
    releaseHeld()
  }
}
