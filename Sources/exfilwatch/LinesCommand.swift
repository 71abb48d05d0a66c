import ArgumentParser
import ExfilWatchFramer

/// `exfilwatch lines`: the first stages alone (Source → Decoder → LineFramer), for looking at
/// what ExfilWatch reads from an input and for measuring how fast it reads it.
struct LinesCommand: ParsableCommand, LoggingCommand {
  static let configuration = CommandConfiguration(
    commandName: "lines",
    abstract: "Print the decoded lines of zstd, gzip or plain inputs (like zstdcat/zcat).",
    discussion: """
      The codec is recognised from each input's first bytes, not its name. Lines end at \\n; \
      a \\r before it is dropped, and every line is printed with \\n. Lines longer than \
      --max-line-length are skipped and reported on standard error with their line number and \
      decoded byte offset.

      Examples:
        exfilwatch lines SampleLogs/salesforce-rtem/*.jsonl.zst | head
        exfilwatch lines --count archive/*.gz
        zstd -dc big.zst | exfilwatch lines --count -
      """
  )

  @OptionGroup var logging: LoggingOptions

  @OptionGroup var input: InputOptions

  @Flag(help: "Print only the number of lines of each input and a total.")
  var count = false

  @Option(help: "Longest line to keep, in bytes (suffixes K, M, G).")
  var maxLineLength = ByteCount(bytes: LineFramer.defaultMaxLineLength)

  func validate() throws {
    guard (1...ByteCount.largestLimit).contains(maxLineLength.bytes) else {
      throw ValidationError("--max-line-length must be between 1 byte and 1G.")
    }
  }

  func run() throws {
    let output = StandardOutput()
    var total = 0
    var failures = 0
    for path in input.paths {
      var handler = LineReporter(name: input.displayName(path), output: count ? nil : output)
      do {
        var framer = LineFramer(maxLineLength: maxLineLength.bytes)
        try input.forEachDecodedChunk(of: path) { try framer.feed($0, into: &handler) }
        try framer.finish(into: &handler)
        if count { output.write("\(handler.lines) \(path)\n") }
        total += handler.lines
      } catch {
        output.flush()
        let progress = handler.lines > 0 ? " (after \(handler.lines) lines)" : ""
        Log.error("\(error)\(progress)")
        failures += 1
      }
    }
    if count && input.paths.count > 1 { output.write("\(total) total\n") }
    output.flush()
    if failures > 0 { throw ExitStatus.inputError.exitCode }
  }
}

/// Counts lines, prints them unless only counting, and reports overlong lines on standard
/// error with their position.
private struct LineReporter: LineHandler {
  let name: String
  let output: StandardOutput?
  var lines = 0

  mutating func handleLine(_ line: UnsafeRawBufferPointer, at position: LinePosition) {
    lines += 1
    output?.writeLine(line)
  }

  mutating func handleOverlongLine(at position: LinePosition, length: Int) {
    lines += 1
    output?.flush()
    Log.warning(
      "\(name):\(position.number): skipped a line of \(length) bytes at decoded "
        + "offset \(position.offset): longer than --max-line-length", ["input": "\(name)"])
  }
}
