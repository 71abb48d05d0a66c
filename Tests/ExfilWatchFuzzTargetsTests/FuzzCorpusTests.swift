import ExfilWatchFuzzTargets
import Foundation
import Testing

/// Replays every input kept under `Fuzz/Corpus/<target>/` (the seeds, and the inputs that once
/// crashed a target, named `regression-*`) through the same fuzz target function the libFuzzer
/// executables call. A target that crashes or breaks one of its invariants stops the test run
/// with the corpus file among the test's arguments.
@Suite("fuzz corpus")
struct FuzzCorpusTests {
  static let corpusDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz/Corpus")

  struct CorpusFile: CustomTestStringConvertible, Sendable {
    var target: String
    var name: String
    var testDescription: String { "\(target)/\(name)" }
    var path: String { FuzzCorpusTests.corpusDirectory.appendingPathComponent("\(target)/\(name)").path }

    func run() throws -> Int {
      let target = try #require(FuzzTarget.all[self.target], "no fuzz target named \(self.target)")
      let bytes = try #require(FileManager.default.contents(atPath: path), "cannot read \(path)")
      #expect(bytes.count <= 64 << 10, "corpus inputs stay small")
      return bytes.withUnsafeBytes { target($0) }
    }
  }

  static let targets = FuzzTarget.all.keys.sorted()

  static func files(of target: String) -> [CorpusFile] {
    let directory = corpusDirectory.appendingPathComponent(target).path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.sorted().map { CorpusFile(target: target, name: $0) }
  }

  @Test("each corpus input runs through its target", arguments: targets.flatMap(files(of:)))
  func replay(_ file: CorpusFile) throws {
    _ = try file.run()
  }

  /// A harness that stopped reaching the stages (every input refused at the first check)
  /// would still never crash: at least one input of each corpus must make something.
  @Test("each target's corpus reaches its stages", arguments: targets)
  func corpusReachesStages(_ target: String) throws {
    let files = Self.files(of: target)
    #expect(files.count >= 3, "Fuzz/Corpus/\(target) has too few inputs")
    let produced = try files.map { try $0.run() }
    #expect(produced.contains { $0 > 0 }, "no input of Fuzz/Corpus/\(target) got past the first check")
  }
}
