import ExfilWatchEvent
import ExfilWatchPipeline
import Glibc
import Synchronization

/// The one line `replay` and `scan` keep redrawing on a terminal while they read: bytes read
/// of the total, events, events per second, the event time reached and the time left.
///
/// It looks at the clock only every few thousand events and redraws at most twice a second,
/// so it costs nothing measurable; it writes to standard error, so findings on standard
/// output stay clean. It reads only the merge, so it ticks on the merge's thread; `clear()`
/// may come from the detector's (before a finding or the summary is written).
final class ProgressDisplay: @unchecked Sendable {
  private let command: String
  private let merge: TimeOrderedMerge
  /// Total bytes of the inputs, when all are regular files (nil with standard input).
  private let totalBytes: Int64?
  private let started = MonotonicClock.now()
  private var lastDrawn = MonotonicClock.now()
  private var eventsSinceCheck = 0
  /// Whether a line is on the screen; also the lock the line is written under.
  private let drawn = Mutex(false)

  static let eventsBetweenChecks = 16_384
  static let secondsBetweenDraws = 0.5

  init(command: String, merge: TimeOrderedMerge, paths: [String]) {
    self.command = command
    self.merge = merge
    var total: Int64 = 0
    var known = true
    for path in paths {
      var status = stat()
      if path != "-", stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG {
        total += Int64(status.st_size)
      } else {
        known = false
      }
    }
    totalBytes = known ? total : nil
  }

  /// Called for every event (or batch of `events`) handed out; redraws when it is time.
  func tick(events: Int = 1) {
    eventsSinceCheck += events
    guard eventsSinceCheck >= Self.eventsBetweenChecks else { return }
    eventsSinceCheck = 0
    let now = MonotonicClock.now()
    guard now - lastDrawn >= Self.secondsBetweenDraws else { return }
    lastDrawn = now
    draw(elapsed: now - started)
  }

  /// Clears the line before the summary is written.
  func clear() {
    whileCleared {}
  }

  /// Clears the line and runs `body` (writing findings) before it can be drawn again: with
  /// `--threads` the line is drawn on another thread, and could land inside a finding.
  func whileCleared(_ body: () -> Void) {
    drawn.withLock { drawn in
      if drawn { writeToStandardError("\r\u{1B}[K") }
      drawn = false
      body()
    }
  }

  private func draw(elapsed: Double) {
    let read = merge.bytesRead
    let events = merge.statistics.events
    var line = "\(command): \(DisplayText.megabytes(read))"
    if let totalBytes, totalBytes > 0 {
      line += " of \(DisplayText.megabytes(totalBytes)) (\(min(100, read * 100 / totalBytes))%)"
    }
    line += ", \(DisplayText.grouped(Int64(events))) events, \(DisplayText.grouped(Int64(Double(events) / elapsed))) events/s"
    if let newest = merge.statistics.newestEventTime { line += ", event time \(DisplayText.utcSeconds(newest))" }
    if let totalBytes, read > 0, totalBytes > read {
      line += ", \(Int(Double(totalBytes - read) / (Double(read) / elapsed)) + 1) s left"
    }
    drawn.withLock { drawn in
      writeToStandardError("\r\u{1B}[K" + line)
      drawn = true
    }
  }
}
