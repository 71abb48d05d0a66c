import ExfilWatchTestSupport
import Foundation
import Testing

/// One sink failing holds up no other, and loses nothing: the failing one's findings come again.
@Suite struct SinkIsolationTests {
  @Test("a jsonl sink on a full disk: the other sinks get every finding, progress is not committed, exit 5")
  func fullDiskHoldsNoOtherSink() throws {
    let directory = try TemporaryDirectory()
    let receiver = try WebhookReceiver(logIn: directory)
    let good = directory.path("good.jsonl")
    let state = directory.path("scan.state")
    // /dev/full takes the open and fails every write with ENOSPC, as a full disk does.
    let arguments = [
      "scan", "--verbose", "--state", state, "--sink", "jsonl:/dev/full", "--sink", "jsonl:\(good)",
      "--sink", "webhook:\(receiver.url())", ScanStateTests.week,
    ]
    let full = try runTool(exfilwatchExecutable, arguments)
    #expect(full.status == 5, "\(full.standardError)")
    #expect(full.standardError.contains("/dev/full"), "\(full.standardError)")
    #expect(full.standardError.contains("No space left on device"), "\(full.standardError)")
    #expect(full.standardError.contains("progress not committed"), "\(full.standardError)")
    #expect(!full.standardError.contains("since it began"), "no state totals: nothing was committed")
    let expected = try WebhookDeliveryTests.jsonlKeys(good)
    #expect(expected.count == 4)
    #expect(try receiver.requests().compactMap { $0.header("Idempotency-Key") } == expected)

    // The next run, with the disk "freed", reads the week again: nothing is lost for the sink
    // that failed (the others may see their findings again: at least once).
    let freed = directory.path("freed.jsonl")
    let again = try runTool(
      exfilwatchExecutable,
      ["scan", "--verbose", "--state", state, "--sink", "jsonl:\(freed)", ScanStateTests.week])
    #expect(again.status == 1, "\(again.standardError)")
    #expect(again.standardError.contains("29503 events"), "\(again.standardError)")
    #expect(try WebhookDeliveryTests.jsonlKeys(freed) == expected)
  }
}
