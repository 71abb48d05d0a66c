import ExfilWatchEvent
import ExfilWatchTestSupport
import Testing

@testable import ExfilWatchParser

/// The tracker against the plain rule it implements, kept here with a `Dictionary`: an event
/// adds the rows by which it raises the most its operation reported within the retention (a
/// first page starts it over), and a prune every `pruneInterval` events forgets operations idle
/// longer than the retention. Through prunes, growth, a key of 0, late pages and a save and
/// restore halfway.
@Suite struct ReadOperationTrackerTests {
  struct Reference {
    var mostRows: [UInt64: (rows: Int64, lastSeen: Int64)] = [:]
    var eventsSincePrune = 0

    mutating func increment(key: UInt64, rows: Int64, startsOperation: Bool, time: Int64) -> Int64 {
      eventsSincePrune += 1
      if eventsSincePrune >= ReadOperationTracker.pruneInterval {
        eventsSincePrune = 0
        mostRows = mostRows.filter { $0.value.lastSeen >= time - ReadOperationTracker.retentionMilliseconds }
      }
      let known = mostRows[key]
      let previous = !startsOperation && (known?.lastSeen ?? .min) >= time - ReadOperationTracker.retentionMilliseconds
        ? known!.rows : 0
      let most = max(previous, rows)
      mostRows[key] = (most, time)
      return most - previous
    }
  }

  @Test(arguments: [(1, 40), (2, 3_000), (3, 100_000)] as [(UInt64, UInt64)])
  func countsAsTheRuleSays(seed: UInt64, operations: UInt64) {
    var random = SeededGenerator(seed: seed)
    var reference = Reference()
    var tracker = ReadOperationTracker()
    var time: Int64 = 1_750_000_000_000
    let events = ReadOperationTracker.pruneInterval * 2 + 5_000
    for step in 0..<events {
      // Mostly forward by seconds; now and then a jump past the retention, a page minutes late,
      // or one hours late (which meets what prunes kept and forgot).
      switch UInt64.random(in: 0..<1_000, using: &random) {
      case 0: time += ReadOperationTracker.retentionMilliseconds + 1
      case 1...50: time -= Int64.random(in: 0...600_000, using: &random)
      case 51...55: time -= Int64.random(in: 0...ReadOperationTracker.retentionMilliseconds, using: &random)
      default: time += Int64.random(in: 0...2_000, using: &random)
      }
      let key = UInt64.random(in: 0..<operations, using: &random) &* 0x9E37_79B9_7F4A_7C15
      let rows = Int64.random(in: 0...2_000, using: &random)
      let starts = UInt64.random(in: 0..<10, using: &random) == 0
      var event = AccessEvent(time: time, action: .query, records: 0, format: .salesforceRTEM, origin: EventOrigin(input: .none, line: step, offset: 0))
      event.setOperation(key: key, rows: rows, startsOperation: starts)
      tracker.count(&event)
      let expected = reference.increment(key: key, rows: rows, startsOperation: starts, time: time)
      #expect(event.records == expected, "event \(step)")
      if event.records != expected { return }
      if step == events / 2 {
        let restored = ReadOperationTracker(encoded: tracker.encoded)
        #expect(restored != nil)
        #expect(restored?.encoded == tracker.encoded)
        tracker = restored ?? tracker
        // What a save forgets: operations idle past the retention before the newest; and the
        // restored tracker counts events to its next prune afresh.
        reference.eventsSincePrune = 0
        let newest = reference.mostRows.values.map(\.lastSeen).max()!
        reference.mostRows = reference.mostRows.filter { $0.value.lastSeen >= newest - ReadOperationTracker.retentionMilliseconds }
      }
    }
  }

  @Test func aPruneKeepsAnOperationSeenExactlyTheRetentionAgo() {
    let tracker = ReadOperationTracker()
    let start: Int64 = 1_750_000_000_000
    let later = start + ReadOperationTracker.retentionMilliseconds
    func page(_ key: UInt64, rows: Int64, at time: Int64) -> Int64 {
      var event = AccessEvent(time: time, action: .query, records: 0, format: .salesforceRTEM, origin: EventOrigin(input: .none, line: 0, offset: 0))
      event.setOperation(key: key, rows: rows, startsOperation: false)
      tracker.count(&event)
      return event.records
    }
    #expect(page(7, rows: 100, at: start) == 100)
    // Other operations up to the event that prunes: the next page of operation 7 itself.
    for key in 1..<UInt64(ReadOperationTracker.pruneInterval - 1) { _ = page(1_000 + key, rows: 1, at: later) }
    #expect(page(7, rows: 150, at: later) == 50)
    #expect(page(7, rows: 150, at: later + 1) == 0)
  }

  @Test func encodingsOfAnotherLengthAreRefused() {
    #expect(ReadOperationTracker(encoded: [1, 2, 3]) == nil)
    #expect(ReadOperationTracker(encoded: [])?.encoded == [])
  }
}
