import ExfilWatchEvent

/// The ground truth of one injected attack: what a detector should find.
///
/// Keys are given as the project's parser will report them: `client` is the parsed `client`
/// field in this format (the ConnectedAppId in RTEM, `CLIENT_NAME` in ELF), and `records` is
/// the sum of the parsed `records` of the attack's events (Query/QueryMore pages counted once,
/// a COUNT() as 1). ELF's API file has no user name column, so there events carry only
/// `actorIds`.
public struct AttackLabel: Sendable, Equatable {
  public var kind: Scenario
  public var description: String
  public var actors: [String]
  public var actorIDs: [String]
  public var client: String
  public var sourceIPs: [String]
  /// Session keys the attack's records carry.
  public var sessions: [String]
  public var objects: [String]
  /// Epoch milliseconds of the attack's first and last records (nil if none was written).
  public var firstEventTime: Int64?
  public var lastEventTime: Int64?
  public var records: Int64 = 0
  public var events = 0

  /// Counts one of the attack's records as written.
  mutating func add(_ event: SimulatedEvent) {
    if firstEventTime == nil { firstEventTime = event.time }
    lastEventTime = event.time
    records += event.counted
    events += 1
  }
}

/// The days of normal traffic that look unusual on purpose, for whoever tunes a detector.
public struct BackgroundLabel: Sendable, Equatable {
  public var surgeDays: [CivilDate]
  public var surgeFactors: [Double]
  public var monthEndExportDays: [CivilDate]
  public var integrationUsers: [String]
  public var analysts: [String]
}

/// What `labels.json` holds.
public struct SimulationLabels: Sendable, Equatable {
  public var options: SimulationOptions
  public var attacks: [AttackLabel]
  public var background: BackgroundLabel

  /// Pretty-printed JSON (two-space indent, keys in a fixed order), ending with a newline.
  public var json: String {
    var lines: [String] = ["{"]
    var fields: [String] = [
      "\"scenario\": \(quoted(options.scenario.rawValue))",
      "\"seed\": \(options.seed)",
      "\"days\": \(options.days)",
      "\"agents\": \(options.agents)",
      "\"format\": \(quoted(options.format.rawValue))",
      "\"start\": \(quoted(isoTimestamp(options.windowStart)))",
      "\"end\": \(quoted(isoTimestamp(options.windowEnd)))",
    ]
    let attackObjects = attacks.map { attack -> String in
      let members = [
        "\"kind\": \(quoted(attack.kind.rawValue))",
        "\"description\": \(quoted(attack.description))",
        "\"actors\": \(list(attack.actors))",
        "\"actorIds\": \(list(attack.actorIDs))",
        "\"client\": \(quoted(attack.client))",
        "\"sourceIPs\": \(list(attack.sourceIPs))",
        "\"sessions\": \(list(attack.sessions))",
        "\"objects\": \(list(attack.objects))",
        "\"firstEventTime\": \(attack.firstEventTime.map { quoted(isoTimestamp($0)) } ?? "null")",
        "\"lastEventTime\": \(attack.lastEventTime.map { quoted(isoTimestamp($0)) } ?? "null")",
        "\"records\": \(attack.records)",
        "\"events\": \(attack.events)",
      ]
      return "    {\n      " + members.joined(separator: ",\n      ") + "\n    }"
    }
    let attackList = attacks.isEmpty ? "[]" : "[\n" + attackObjects.joined(separator: ",\n") + "\n  ]"
    fields.append("\"attacks\": " + attackList)
    let background = [
      "\"surgeDays\": \(list(background.surgeDays.map(\.description)))",
      "\"surgeFactors\": [\(background.surgeFactors.map { rounded($0) }.joined(separator: ", "))]",
      "\"monthEndExportDays\": \(list(background.monthEndExportDays.map(\.description)))",
      "\"integrationUsers\": \(list(background.integrationUsers))",
      "\"analysts\": \(list(background.analysts))",
    ]
    fields.append("\"background\": {\n    " + background.joined(separator: ",\n    ") + "\n  }")
    lines.append("  " + fields.joined(separator: ",\n  "))
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  private func list(_ values: [String]) -> String {
    "[" + values.map(quoted).joined(separator: ", ") + "]"
  }

  private func rounded(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }
}

/// A JSON string literal.
func quoted(_ text: String) -> String {
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\n": result += "\\n"
    case _ where scalar.value < 0x20:
      let hex = String(scalar.value, radix: 16)
      result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}
