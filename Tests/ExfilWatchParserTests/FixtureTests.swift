import ExfilWatchTestSupport
import Foundation
import Testing

/// Every fixture under `Fixtures/<format>/` is parsed by the built `exfilwatch events` and must
/// give exactly its `.events.jsonl` (every canonical field of every event, byte for byte) and
/// the reject counts of its `.rejects.json`. The expected files were written from the platforms'
/// published field lists and Formats.md, independently of the parser.
@Suite("format fixtures")
struct FixtureTests {
  static let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  struct Fixture: CustomTestStringConvertible, Sendable {
    var format: String
    var name: String
    var directory: String
    var testDescription: String { "\(format)/\(name)" }

    var arguments: [String] {
      let path = "\(directory)/\(name).args"
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
      return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }
  }

  static let fixtures: [Fixture] = {
    let manager = FileManager.default
    let formats = (try? manager.contentsOfDirectory(atPath: fixturesDirectory.path)) ?? []
    return formats.sorted().flatMap { format -> [Fixture] in
      let directory = fixturesDirectory.appendingPathComponent(format).path
      let files = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
      return files.filter { name in
        ![".events.jsonl", ".rejects.json", ".args"].contains { name.hasSuffix($0) }
      }.sorted().map { Fixture(format: format, name: $0, directory: directory) }
    }
  }()

  @Test("fixtures exist for every format")
  func everyFormatHasFixtures() {
    let formats = Set(Self.fixtures.map(\.format))
    #expect(formats.isSuperset(of: ["sf-rtem", "sf-elf", "okta", "m365", "servicenow", "zendesk", "jsonl", "csv"]))
  }

  @Test("events and rejects match the expected files", arguments: fixtures)
  func fixture(_ fixture: Fixture) throws {
    try check(fixture, format: fixture.format)
  }

  @Test("--format auto recognises the platform and gives the same events", arguments: fixtures.filter {
    $0.arguments.isEmpty
  })
  func autoFormat(_ fixture: Fixture) throws {
    try check(fixture, format: "auto")
  }

  private func check(_ fixture: Fixture, format: String) throws {
    let temporary = try TemporaryDirectory()
    let rejectsPath = temporary.path("rejects.jsonl")
    let result = try runTool(
      exfilwatchExecutable,
      ["events", "--format", format, "--rejects", rejectsPath] + fixture.arguments + [fixture.name],
      currentDirectory: fixture.directory)
    #expect(result.status == 0, "\(result.standardError)")

    let expected = try String(contentsOfFile: "\(fixture.directory)/\(fixture.name).events.jsonl", encoding: .utf8)
      .split(separator: "\n").map(String.init)
    let actual = result.outputText.split(separator: "\n").map(String.init)
    for (index, (want, got)) in zip(expected, actual).enumerated() where want != got {
      Issue.record("event \(index + 1) differs\n  expected: \(want)\n  actual:   \(got)")
    }
    #expect(actual.count == expected.count, "event count")

    let expectedRejects = try rejectCounts(expectedFile: "\(fixture.directory)/\(fixture.name).rejects.json")
    let rejectLines = (try? String(contentsOfFile: rejectsPath, encoding: .utf8)) ?? ""
    var actualRejects: [String: Int] = [:]
    for line in rejectLines.split(separator: "\n") {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      let reason = try #require(object?["reason"] as? String)
      actualRejects[reason, default: 0] += 1
      #expect(object?["input"] as? String == fixture.name)
    }
    #expect(actualRejects == expectedRejects)
  }

  private func rejectCounts(expectedFile: String) throws -> [String: Int] {
    guard let data = FileManager.default.contents(atPath: expectedFile) else { return [:] }
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int])
  }
}
