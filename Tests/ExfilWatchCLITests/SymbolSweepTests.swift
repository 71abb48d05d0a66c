import ExfilWatchDecoder
import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchTestSupport
import Foundation
import Testing

/// Sweeping the symbol table while a run reads must not change a single finding: every symbol
/// the detector and the open inputs hold is marked, and a value freed and then read again
/// comes back as a new symbol with the same text.
@Suite("symbol table sweeps")
struct SymbolSweepTests {
  static let week = ScanStateTests.week

  /// A file beside the week of one-off users, each with a session and address of its own,
  /// spread over the week: values that stop being held as their keys are judged and evicted.
  nonisolated(unsafe) static let oneOffUsers: TemporaryDirectory = {
    let directory = try! TemporaryDirectory()
    let start: Int64 = 1_748_736_000_000  // 2025-06-01
    let lines = (0..<6_000).map { index in
      #"{"attributes":{"type":"ApiEvent"},"EventDate":"\#(Timestamp.iso8601(start + Int64(index) * 100_000))","#
        + #""Username":"one-off-\#(index)@flood.example","UserId":"005\#(index)","SessionKey":"s-\#(index)","#
        + #""SourceIp":"10.\#(index >> 16).\#((index >> 8) & 255).\#(index & 255)","Operation":"Query","#
        + #""QueriedEntities":"Contact","RowsProcessed":1.0,"EventIdentifier":"flood-\#(index)"}"#
    }
    _ = try! directory.write("flood.jsonl", Array(lines.joined(separator: "\n").utf8))
    return directory
  }()

  /// The findings of the week and the one-off users, from a merge sweeping whenever the table
  /// has doubled since the last sweep and holds `minimumSweepCount` symbols, and the merge's
  /// statistics.
  static func findings(
    sweepingFrom minimumSweepCount: Int, threads: Bool, maxTrackedKeys: Int = 1_000_000
  ) throws -> (findings: [Finding], statistics: TimeOrderedMerge.Statistics, symbols: SymbolTable) {
    let files = try FileManager.default.contentsOfDirectory(atPath: week).filter { $0.hasSuffix(".zst") }.sorted()
      .map { "\(week)/\($0)" } + [oneOffUsers.path("flood.jsonl")]
    let symbols = SymbolTable()
    symbols.minimumSweepCount = minimumSweepCount
    var configuration = DetectorConfiguration()
    configuration.maxTrackedKeys = maxTrackedKeys
    let detector = Detector(configuration: configuration, symbols: symbols)
    // Small decoded chunks: many points between chunks where a sweep may fall.
    let merge = TimeOrderedMerge(
      inputs: files.map { MergeInput(path: $0) }, symbols: symbols,
      decoderOptions: DecoderOptions(inputBufferBytes: 4096, outputBufferBytes: 8192))
    var found: [Finding]
    if threads {
      var concurrent = ConcurrentEventHandler(wrapping: DetectingHandler(detector: detector), batchSize: 256)
      try merge.run(into: &concurrent)
      found = try concurrent.finish().findings
    } else {
      var handler = DetectingHandler(detector: detector)
      try merge.run(into: &handler)
      found = handler.findings
    }
    detector.finish()
    found += detector.takeFindings()
    return (found, merge.statistics, symbols)
  }

  @Test("findings are the same with sweeps as without", arguments: [false, true])
  func sameFindings(threads: Bool) throws {
    let unswept = try Self.findings(sweepingFrom: .max, threads: threads)
    let swept = try Self.findings(sweepingFrom: 64, threads: threads)
    #expect(unswept.statistics.symbolSweeps == 0)
    #expect(swept.statistics.symbolSweeps >= 5, "\(swept.statistics)")
    #expect(swept.statistics.symbolsFreed > 6_000, "\(swept.statistics)")
    #expect(swept.symbols.liveCount < unswept.symbols.liveCount)
    #expect(!unswept.findings.isEmpty)
    #expect(swept.findings == unswept.findings)
  }

  @Test("with keys evicted under a small cap, sweeps still leave the findings as they were")
  func sameFindingsWithEvictions() throws {
    let unswept = try Self.findings(sweepingFrom: .max, threads: false, maxTrackedKeys: 1_000)
    let swept = try Self.findings(sweepingFrom: 64, threads: false, maxTrackedKeys: 1_000)
    #expect(swept.statistics.symbolSweeps >= 5, "\(swept.statistics)")
    #expect(unswept.findings.contains { $0.evidence.horizon.isEmpty }, "the cap was reached")
    #expect(!unswept.findings.isEmpty)
    #expect(swept.findings == unswept.findings)
  }
}

/// Runs a detector over the merge's events and keeps its findings; marks what the detector
/// holds, as `exfilwatch`'s own run does.
private struct DetectingHandler: MergedEventHandler {
  let detector: Detector
  var findings: [Finding] = []

  mutating func handleEvent(_ event: AccessEvent) {
    detector.process(event)
    if detector.hasFindings { findings += detector.takeFindings() }
  }

  mutating func handleReject(_ reject: RejectedRecord, input: String) {}
  mutating func handleInputFailure(_ error: any Error, report: InputReport) {}
  mutating func handleInputFinished(_ report: InputReport) {}

  var marksSymbols: Bool { true }

  mutating func markSymbols(into marks: inout SymbolMarks) {
    detector.markSymbols(into: &marks)
  }
}
