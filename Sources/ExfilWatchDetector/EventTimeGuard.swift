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

  /// The longest step between held events, in time order, that still makes them one stream
  /// resumed after a gap (see `Detector.confirmHeld()`).
  static let longestStep: Int64 = 30 * DetectorConfiguration.Duration.day

  /// Whether `event` goes straight on: the run has started, nothing waits, and it is not past
  /// the bound. The test every event takes, so it is kept to a few comparisons.
  @inline(__always)
  func admitsDirectly(_ event: AccessEvent, newest: Int64?, maxJump: Int64) -> Bool {
    guard started, held.isEmpty, let newest else { return false }
    return event.time <= newest &+ maxJump
  }

  /// Of the first events, those after a gap of more than `maxJump` above their (lower)
  /// median's run of times (times with no such gap between them): a wrong first record is
  /// such an outlier. They are not dropped: they go on as events past the bound would.
  static func startSample(_ events: [AccessEvent], maxJump: Int64) -> (start: Int64, ahead: Set<Int>) {
    let times = events.map(\.time).sorted()
    let middle = (times.count - 1) / 2
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
      confirmHeld()
    } else {
      // A late event says nothing about the jump; one between the newest and the bound
      // shows that time did not jump: what is held was islands.
      if event.time > newest { discardHeld() }
      admit(event)
    }
  }

  /// Releases the held events once `jumpConfirmations` of them agree: in time order, none more
  /// than `EventTimeGuard.longestStep` after the one before. Real traffic after a gap can be
  /// sparse (a night-time burst, then the morning's work hours later) but does not step by
  /// months; a wrong clock scattered over years does. Held events that do not agree are
  /// islands, the oldest first, until the rest agree or are too few.
  private func confirmHeld() {
    while timeGuard.held.count >= configuration.jumpConfirmations {
      let times = timeGuard.held.map(\.time).sorted()
      if zip(times, times.dropFirst()).allSatisfy({ $1 - $0 <= EventTimeGuard.longestStep }) {
        releaseHeld()
        return
      }
      countOutlier(timeGuard.held.removeFirst())
    }
  }

  /// Starts the run with the first events that came, fewer than `jumpConfirmations`: a live
  /// source went quiet before more came (`tail --idle-close`), and they must be judged.
  public func startWithHeldEvents() {
    if !timeGuard.started { startFromHeld() }
  }

  /// Starts the run from the first events (none held: not yet). Those far ahead of the others
  /// go on as any event past the bound: held, then confirmed or found to be islands.
  func startFromHeld() {
    let events = timeGuard.held
    guard !events.isEmpty else { return }
    timeGuard.held = []
    timeGuard.started = true
    let (start, ahead) = EventTimeGuard.startSample(events, maxJump: configuration.maxTimeJump)
    self.start(at: start)
    for (index, event) in events.enumerated() {
      if ahead.contains(index) { guardEventTime(event) } else { admit(event) }
    }
  }

  /// The held events agree on a jump (or the input ended, or event time caught up with them):
  /// they are judged, in the order they came.
  func releaseHeld() {
    guard timeGuard.started else { return startFromHeld() }
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

  /// Event time is to move on to `time` without events (`advanceWatermark`): held events it
  /// catches up with are no longer a jump, and are judged before it moves, so they are not late.
  func releaseHeld(caughtUpBy time: Int64) {
    guard timeGuard.started, !timeGuard.held.isEmpty,
      timeGuard.held.allSatisfy({ $0.time <= time &+ configuration.maxTimeJump })
    else { return }
    releaseHeld()
  }
}
