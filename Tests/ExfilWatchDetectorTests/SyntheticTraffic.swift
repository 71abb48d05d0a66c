import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchTestSupport

typealias Duration = DetectorConfiguration.Duration

/// A small contact centre's normal reads, made from a seed: agents on day shifts reading a few
/// records at a time through the console from the office IP, on every day of `days`.
struct SyntheticTraffic {
  var agents = 20
  var days = 8
  var seed: UInt64 = 1
  /// Multiplies every agent's reads on the days given (a shared surge).
  var surge: (days: Range<Int>, factor: Int64) = (0..<0, 1)

  static let start: Int64 = 1_748_736_000_000  // 2025-06-01T00:00:00Z

  func events(_ factory: EventFactory) -> [AccessEvent] {
    var random = SeededGenerator(seed: seed)
    var events: [AccessEvent] = []
    for day in 0..<days {
      for agent in 0..<agents {
        let factor = surge.days.contains(day) ? surge.factor : 1
        let shiftStart = Self.start + Int64(day) * Duration.day + 8 * Duration.hour
        for _ in 0..<(30 + Int(random.next() % 20)) * Int(factor) {
          let time = shiftStart + Int64(random.next() % UInt64(8 * Duration.hour))
          let records = Int64(1 + random.next() % 40)
          events.append(
            factory.read(
              at: time, actor: "agent\(agent)@example.com", ip: "203.0.113.10",
              object: ["Contact", "Case", "Account"][Int(random.next() % 3)], records: records,
              id: "evt-\(day)-\(agent)-\(events.count)", line: events.count + 1))
        }
      }
    }
    return events.sorted { $0.time < $1.time }
  }
}

/// Runs events through a detector and collects every finding.
func detect(
  _ events: [AccessEvent], symbols: SymbolTable, configuration: DetectorConfiguration = DetectorConfiguration(),
  allowlist: Allowlist = Allowlist()
) -> (findings: [Finding], statistics: DetectorStatistics) {
  let detector = Detector(configuration: configuration, symbols: symbols)
  detector.allowlist = allowlist
  var findings: [Finding] = []
  for event in events {
    detector.process(event)
    findings += detector.takeFindings()
  }
  detector.finish()
  findings += detector.takeFindings()
  return (findings, detector.statistics)
}

/// `count` reads of `records` each by one actor through one app from one IP, a few seconds
/// apart from `start`.
func burst(
  _ factory: EventFactory, from start: Int64, count: Int, records: Int64, actor: String,
  client: String, ip: String, every interval: Int64 = 10 * Duration.second
) -> [AccessEvent] {
  (0..<count).map { index in
    factory.read(
      at: start + Int64(index) * interval, actor: actor, client: client, ip: ip, records: records,
      id: "burst-\(start)-\(index)", line: 1_000_000 + index)
  }
}

/// Merges event lists by time, keeping each list's order for equal times.
func merged(_ lists: [AccessEvent]...) -> [AccessEvent] {
  lists.joined().enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
}
