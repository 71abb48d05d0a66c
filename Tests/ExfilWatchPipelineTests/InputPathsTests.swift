import ExfilWatchPipeline
import ExfilWatchTestSupport
import Foundation
import Testing

@Suite("command-line paths expand to the inputs to read")
struct InputPathsTests {
  @Test("a directory is walked: nested, sorted by path, hidden skipped, links to files followed")
  func directoryWalk() throws {
    let directory = try TemporaryDirectory()
    let root = directory.path("archive")
    let files = FileManager.default
    for folder in ["archive/2025/06", "archive/2025/07", "archive/.git", "elsewhere/days"] {
      try files.createDirectory(atPath: directory.path(folder), withIntermediateDirectories: true)
    }
    for name in [
      "archive/2025/07/01.jsonl.zst", "archive/2025/06/30.jsonl.zst", "archive/2025/06/29.jsonl.gz",
      "archive/notes.jsonl", "archive/.30.jsonl.swp", "archive/.git/HEAD", "elsewhere/today.jsonl",
      "elsewhere/days/x.jsonl", "single.jsonl",
    ] {
      try directory.write(name, Array("{}\n".utf8))
    }
    try files.createSymbolicLink(
      atPath: directory.path("archive/today.jsonl"),
      withDestinationPath: directory.path("elsewhere/today.jsonl"))
    try files.createSymbolicLink(
      atPath: directory.path("archive/days"), withDestinationPath: directory.path("elsewhere/days"))

    let expanded = try InputPaths.expand([directory.path("single.jsonl"), root, "-", root + "/"])
    let walked = [
      "2025/06/29.jsonl.gz", "2025/06/30.jsonl.zst", "2025/07/01.jsonl.zst", "notes.jsonl",
      "today.jsonl",
    ]
    #expect(expanded == [directory.path("single.jsonl")] + walked.map { root + "/" + $0 } + ["-"]
      + walked.map { root + "/" + $0 })
  }

  @Test("a hidden file named explicitly is read; an empty directory gives no inputs")
  func explicitHiddenFileAndEmptyDirectory() throws {
    let directory = try TemporaryDirectory()
    let hidden = try directory.write(".hidden.jsonl", [])
    try FileManager.default.createDirectory(
      atPath: directory.path("empty"), withIntermediateDirectories: true)
    #expect(try InputPaths.expand([hidden, directory.path("empty")]) == [hidden])
  }

  @Test("a missing path, or a dangling link inside a directory, is an error naming it")
  func missingPaths() throws {
    let directory = try TemporaryDirectory()
    let present = try directory.write("present.jsonl", [])
    let missing = directory.path("missing.jsonl")
    #expect(throws: PipelineError.missingInput(path: missing)) {
      try InputPaths.expand([present, missing])
    }
    #expect(PipelineError.missingInput(path: missing).description.contains(missing))

    try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
    let dangling = directory.path("logs/gone.jsonl")
    try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: missing)
    #expect(throws: PipelineError.missingInput(path: dangling)) {
      try InputPaths.expand([directory.path("logs")])
    }
  }
}
