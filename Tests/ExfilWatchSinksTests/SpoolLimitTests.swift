import ExfilWatchDetector
import ExfilWatchTestSupport
import Foundation
import Testing

@testable import ExfilWatchSinks

/// A receiver down for weeks must not grow the queue, and the spool in the state file, without
/// end (issue 9): past `maxWaiting` the queue drops superseded revisions first, then the oldest
/// findings, and says so.
@Suite struct SpoolLimitTests {
  /// A queue to a port nothing listens on: every attempt is refused and retried.
  static func queueToNowhere(maxWaiting: Int, events: EventLog, spooled: [Finding] = []) throws -> QueuedDelivery {
    let options = WebhookOptions(url: URL(string: "http://127.0.0.1:\(try unusedLocalPort())/hook")!, timeout: 1)
    return QueuedDelivery(
      sender: WebhookSender(options: options, productVersion: "0.1.0"), spooled: spooled, attemptTimeout: 1,
      maxWaiting: maxWaiting, policy: RetryPolicy(initialDelay: 30, maximumDelay: 30), report: { events.append($0) })
  }

  static func finding(_ index: Int, revision: Int = 1) -> Finding {
    var finding = SampleFindings.finding(revision: revision)
    finding.id = "exw-\(String(format: "%016d", index))"
    return finding
  }

  @Test func supersededRevisionsGoFirstThenTheOldest() throws {
    let events = EventLog()
    let queue = try Self.queueToNowhere(maxWaiting: 10, events: events)
    // Six incidents with two revisions each: twelve messages, two too many; the first
    // revisions of incidents 1 and 2 go (incident 0's first is at the front, maybe in flight).
    for index in 0..<6 {
      queue.enqueue(Self.finding(index, revision: 1))
      queue.enqueue(Self.finding(index, revision: 2))
    }
    var waiting = queue.takeProgress().waiting.map { "\($0.findingID.suffix(2)).\($0.revision)" }
    #expect(waiting == ["00.1", "00.2", "01.2", "02.2", "03.1", "03.2", "04.1", "04.2", "05.1", "05.2"])
    #expect(!events.all.contains { if case .dropped = $0 { true } else { false } },
            "nothing was lost yet: a later revision of each dropped one waits")

    // Ten new incidents: the oldest messages behind the first are dropped, and said.
    for index in 6..<16 { queue.enqueue(Self.finding(index)) }
    let progress = queue.takeProgress()
    waiting = progress.waiting.map { "\($0.findingID.suffix(2)).\($0.revision)" }
    #expect(waiting.count == 10)
    #expect(waiting.first == "00.1")
    #expect(Array(waiting.suffix(9)) == (7..<16).map { String(format: "%02d.1", $0) })
    #expect(progress.dropped > 0)
    let reports = events.all.filter { if case .dropped = $0 { true } else { false } }
    guard case .dropped(_, let dropped, let limit)? = reports.last else {
      Issue.record("expected a dropped report, got \(events.all)")
      return
    }
    #expect(limit == 10)
    #expect(dropped <= progress.dropped)
    #expect(reports.last?.description.contains("--max-spool") == true)
    queue.beginClosing(allowing: 0)
    _ = queue.waitUntilClosed()
  }

  @Test func aSpoolLargerThanTheLimitIsCutAtTheStart() throws {
    let events = EventLog()
    let spooled = (0..<25).map { Self.finding($0) }
    let queue = try Self.queueToNowhere(maxWaiting: 5, events: events, spooled: spooled)
    let waiting = queue.takeProgress().waiting.map(\.findingID)
    #expect(waiting == [spooled[0].id] + spooled.suffix(4).map(\.id))
    #expect(events.all.filter { if case .dropped = $0 { true } else { false } }.count == 1)
    queue.beginClosing(allowing: 0)
    _ = queue.waitUntilClosed()
  }
}
