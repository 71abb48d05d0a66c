import ExfilWatchTestSupport
import Foundation
import Testing

/// `exfilwatch lines`, run as a user runs it: the built binary, real files, exit codes.
@Suite("exfilwatch lines")
struct LinesCommandTests {
  let text = sampleAuditLines(count: 30_000, seed: 11)

  func expectedLineCount(_ bytes: [UInt8]) -> Int {
    bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
  }

  @Test("prints what zstd -dc and gzip -dc print; --count agrees with wc -l")
  func matchesReferenceTools() throws {
    let directory = try TemporaryDirectory()
    let zst = try directory.write("a.zst", try runToolChecked("zstd", ["-q", "-c"], input: text))
    let gz = try directory.write("b.log", try runToolChecked("gzip", ["-n", "-c"], input: text))
    let plain = try directory.write("c.jsonl", text)

    #expect(try runToolChecked(exfilwatchExecutable, ["lines", zst]) == runToolChecked("zstd", ["-dc", zst]))
    #expect(try runToolChecked(exfilwatchExecutable, ["lines", gz]) == runToolChecked("gzip", ["-dc", gz]))

    let count = try runTool(exfilwatchExecutable, ["lines", "--count", zst, gz, plain])
    #expect(count.status == 0)
    let lines = expectedLineCount(text)
    #expect(count.outputText == "\(lines) \(zst)\n\(lines) \(gz)\n\(lines) \(plain)\n\(3 * lines) total\n")
  }

  @Test("'-' reads standard input, compressed or not")
  func standardInput() throws {
    let compressed = try runToolChecked("zstd", ["-q", "-c"], input: text)
    let result = try runTool(exfilwatchExecutable, ["lines", "--count", "-"], input: compressed)
    #expect(result.status == 0)
    #expect(result.outputText == "\(expectedLineCount(text)) -\n")
  }

  @Test("a truncated file is reported with its name and offset, the other inputs still counted, exit 3")
  func truncatedInput() throws {
    let directory = try TemporaryDirectory()
    let compressed = try runToolChecked("zstd", ["-q", "-c"], input: text)
    let cut = try directory.write("cut.zst", Array(compressed.prefix(compressed.count - 100)))
    let good = try directory.write("good.zst", compressed)
    let result = try runTool(exfilwatchExecutable, ["lines", "--count", cut, good])
    #expect(result.status == 3)
    #expect(result.outputText == "\(expectedLineCount(text)) \(good)\n\(expectedLineCount(text)) total\n")
    #expect(result.standardError.contains("cut.zst: truncated zstd data"))
    #expect(result.standardError.contains("offset \(compressed.count - 100)"))
  }

  @Test("a missing input is exit 3 with its name; a bad option is exit 2")
  func exitCodes() throws {
    let missing = try runTool(exfilwatchExecutable, ["lines", "/nonexistent/x.zst"])
    #expect(missing.status == 3)
    #expect(missing.standardError.contains("/nonexistent/x.zst: cannot open: No such file or directory"))

    let badOption = try runTool(exfilwatchExecutable, ["lines", "--max-line-length", "lots", "x"])
    #expect(badOption.status == 2)
    let unknownFlag = try runTool(exfilwatchExecutable, ["lines", "--no-such-flag"])
    #expect(unknownFlag.status == 2)
    #expect(unknownFlag.standardError.contains("--no-such-flag"))
  }

  @Test("overlong lines are skipped and reported with line number and offset")
  func overlongLines() throws {
    let directory = try TemporaryDirectory()
    let content = "short\n" + String(repeating: "x", count: 5000) + "\nafter\n"
    let path = try directory.write("long.txt", Array(content.utf8))
    let result = try runTool(exfilwatchExecutable, ["lines", "--max-line-length", "1K", path])
    #expect(result.status == 0)
    #expect(result.outputText == "short\nafter\n")
    #expect(result.standardError.contains("long.txt:2: skipped a line of 5000 bytes at decoded offset 6"))
  }

  @Test("the bundled sample logs decode completely")
  func sampleLogs() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let samples = try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("SampleLogs").path)
      .filter { $0.hasSuffix(".zst") || $0.hasSuffix(".gz") }
      .map { root.appendingPathComponent("SampleLogs").appendingPathComponent($0).path }
    #expect(samples.count >= 2)
    for sample in samples {
      let tool = sample.hasSuffix(".zst") ? "zstd" : "gzip"
      let reference = expectedLineCount(try runToolChecked(tool, ["-dc", sample]))
      let result = try runTool(exfilwatchExecutable, ["lines", "--count", sample])
      #expect(result.status == 0)
      #expect(result.outputText == "\(reference) \(sample)\n")
    }
  }
}
