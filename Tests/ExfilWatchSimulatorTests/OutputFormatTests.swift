import ExfilWatchSimulator
import ExfilWatchTestSupport
import Foundation
import Testing

@Suite("files as the real tools and SampleLogs have them")
struct OutputFormatTests {
  static let sampleLogs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../SampleLogs").standardized.path

  @Test("the real zstd tool verifies every file and decodes the same text", arguments: SimulationFormat.allCases)
  func zstdToolAccepts(format: SimulationFormat) throws {
    let simulation = try WrittenSimulation(smallOptions(.compromisedAgent, format: format, days: 3, agents: 30))
    #expect(simulation.report.files.count == 3)
    var decoded: Int64 = 0
    for path in simulation.report.files {
      let test = try runTool("zstd", ["-t", path])
      #expect(test.status == 0, "\(test.standardError)")
      decoded += Int64(try runToolChecked("zstd", ["-dc", path]).count)
    }
    #expect(decoded == simulation.report.decompressedBytes)
    #expect(simulation.report.compressedBytes * 5 < simulation.report.decompressedBytes)
  }

  @Test("files are named by format and UTC day")
  func fileNames() throws {
    let rtem = try WrittenSimulation(smallOptions(.baseline, days: 2, agents: 10))
    #expect(rtem.report.files.map { URL(fileURLWithPath: $0).lastPathComponent } == [
      "ApiEvent-2025-06-01.jsonl.zst", "ApiEvent-2025-06-02.jsonl.zst",
    ])
    let elf = try WrittenSimulation(smallOptions(.baseline, format: .salesforceELF, days: 1, agents: 10))
    #expect(elf.report.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["API-2025-06-01.csv.zst"])
  }

  @Test("ApiEvent lines have SampleLogs' keys in SampleLogs' order")
  func apiEventKeysAsSampleLogs() throws {
    let sample = try runToolChecked("zstd", ["-dc", Self.sampleLogs + "/salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst"])
    let sampleLine = String(decoding: sample.prefix { $0 != 0x0A }, as: UTF8.self)
    let simulation = try WrittenSimulation(smallOptions(.connectedAppExfil, days: 3, agents: 30))
    var checked = 0
    for path in simulation.report.files {
      let text = String(decoding: try runToolChecked("zstd", ["-dc", path]), as: UTF8.self)
      for line in text.split(separator: "\n") where line.hasSuffix(#""attributes":{"type":"ApiEvent"}}"#) {
        #expect(Self.topLevelKeys(line) == Self.topLevelKeys(Substring(sampleLine)))
        checked += 1
      }
    }
    #expect(checked > 1000)
  }

  @Test("the ELF header is SampleLogs' API header plus ROW_COUNT")
  func elfHeaderAsSampleLogs() throws {
    let sample = try runToolChecked("gzip", ["-dc", Self.sampleLogs + "/salesforce-elf/API-2025-06-30.csv.gz"])
    let sampleHeader = String(decoding: sample.prefix { $0 != 0x0A }, as: UTF8.self)
    let simulation = try WrittenSimulation(smallOptions(.baseline, format: .salesforceELF, days: 1, agents: 10))
    let text = try runToolChecked("zstd", ["-dc", simulation.report.files[0]])
    let header = String(decoding: text.prefix { $0 != 0x0A }, as: UTF8.self)
    #expect(header == sampleHeader + #","ROW_COUNT""#)
  }

  @Test("labels.json is JSON and says what the report says", arguments: SimulationFormat.allCases)
  func labelsFile(format: SimulationFormat) throws {
    let simulation = try WrittenSimulation(smallOptions(.spreadThin, format: format, days: 3, agents: 30))
    let data = try Data(contentsOf: URL(fileURLWithPath: simulation.report.labelsPath))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(object["scenario"] as? String == "spread-thin")
    #expect(object["seed"] as? Int == 1)
    #expect(object["days"] as? Int == 3)
    #expect(object["agents"] as? Int == 30)
    #expect(object["format"] as? String == format.rawValue)
    #expect(object["start"] as? String == "2025-06-01T00:00:00.000Z")
    #expect(object["end"] as? String == "2025-06-04T00:00:00.000Z")
    let attacks = try #require(object["attacks"] as? [[String: Any]])
    let label = simulation.labels.attacks[0]
    #expect(attacks.count == 1)
    #expect(attacks[0]["kind"] as? String == "spread-thin")
    #expect(attacks[0]["actors"] as? [String] == label.actors)
    #expect(attacks[0]["actorIds"] as? [String] == label.actorIDs)
    #expect(attacks[0]["client"] as? String == label.client)
    #expect(attacks[0]["sourceIPs"] as? [String] == label.sourceIPs)
    #expect((attacks[0]["records"] as? NSNumber)?.int64Value == label.records)
    let first = try #require(attacks[0]["firstEventTime"] as? String)
    let last = try #require(attacks[0]["lastEventTime"] as? String)
    #expect(first.hasSuffix("Z") && first.count == 24)
    #expect(epochMilliseconds(first) == label.firstEventTime)
    #expect(epochMilliseconds(last) == label.lastEventTime)
  }

  /// The keys of a JSON object's top level, in order (strings inside values are skipped).
  static func topLevelKeys(_ line: Substring) -> [String] {
    var keys: [String] = []
    var depth = 0
    var index = line.startIndex
    var expectingKey = false
    while index < line.endIndex {
      let character = line[index]
      switch character {
      case "{":
        depth += 1
        expectingKey = depth == 1
      case "}": depth -= 1
      case ",": expectingKey = depth == 1
      case "\"":
        var end = line.index(after: index)
        while line[end] != "\"" { end = line.index(end, offsetBy: line[end] == "\\" ? 2 : 1) }
        if expectingKey { keys.append(String(line[line.index(after: index)..<end])) }
        expectingKey = false
        index = end
      default: break
      }
      index = line.index(after: index)
    }
    return keys
  }
}
