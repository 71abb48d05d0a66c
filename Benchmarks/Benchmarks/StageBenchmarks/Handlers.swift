import ExfilWatchEvent
import ExfilWatchFramer
import ExfilWatchParser

/// Counts the records a framer cuts, and sums their lengths so that no framing work can be
/// optimised away: the Framer stage alone, with the cheapest possible consumer.
struct RecordCounter: LineHandler {
  var records = 0
  var bytes = 0

  mutating func handleLine(_ line: UnsafeRawBufferPointer, at position: LinePosition) {
    records += 1
    bytes &+= line.count
  }

  mutating func handleOverlongLine(at position: LinePosition, length: Int) {
    records += 1
  }
}

/// Counts what a parser makes of an input: the Parser stage alone, keeping nothing.
struct EventCounter: EventHandler {
  var events = 0
  var rejects = 0
  /// Folds every event's time in, so parsing cannot be optimised away.
  var timeSum: Int64 = 0

  mutating func handleEvent(_ event: AccessEvent) {
    events += 1
    timeSum &+= event.time
  }

  mutating func handleReject(_ reject: RejectedRecord) {
    rejects += 1
  }
}

/// Keeps every event, for the benchmarks of the stages after the parser.
struct EventCollector: EventHandler {
  var events: [AccessEvent] = []
  var rejects = 0

  mutating func handleEvent(_ event: AccessEvent) {
    events.append(event)
  }

  mutating func handleReject(_ reject: RejectedRecord) {
    rejects += 1
  }
}
