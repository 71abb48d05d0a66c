/// The Prometheus text exposition format (0.0.4), parsed strictly enough to catch what a
/// Prometheus server would refuse: metric and label names, quoting and escapes, values, a
/// `# TYPE` before a family's first sample and at most once, samples of a family together.
public struct PrometheusText {
  public struct Sample: Equatable {
    public var name: String
    public var labels: [String: String]
    public var value: Double
  }

  public var samples: [Sample] = []
  /// The declared type of each family (`counter`, `gauge`, ...).
  public var types: [String: String] = [:]
  public var help: [String: String] = [:]

  public struct ParseError: Error, CustomStringConvertible {
    public var line: Int
    public var problem: String
    public var description: String { "line \(line): \(problem)" }
  }

  public init(_ text: String) throws {
    var finishedFamilies: Set<String> = []
    var currentFamily: String?
    for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let number = offset + 1
      func fail(_ problem: String) -> ParseError { ParseError(line: number, problem: "\(problem): \(line)") }
      if line.isEmpty { continue }
      if line.hasPrefix("#") {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[1] == "HELP" || parts[1] == "TYPE" else { continue }
        let name = String(parts[2])
        guard Self.isMetricName(name) else { throw fail("bad metric name") }
        let rest = parts.count > 3 ? String(parts[3]) : ""
        if parts[1] == "TYPE" {
          guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(rest) else { throw fail("bad type") }
          guard types[name] == nil, !finishedFamilies.contains(name) else { throw fail("TYPE given twice") }
          types[name] = rest
        } else {
          guard help[name] == nil else { throw fail("HELP given twice") }
          help[name] = rest
        }
        continue
      }
      var index = line.startIndex
      while index < line.endIndex, line[index] != "{", line[index] != " " { index = line.index(after: index) }
      let name = String(line[..<index])
      guard Self.isMetricName(name) else { throw fail("bad metric name") }
      var labels: [String: String] = [:]
      if index < line.endIndex, line[index] == "{" {
        index = line.index(after: index)
        while index < line.endIndex, line[index] != "}" {
          guard let equals = line[index...].firstIndex(of: "=") else { throw fail("label without =") }
          let label = String(line[index..<equals])
          guard Self.isLabelName(label), labels[label] == nil else { throw fail("bad or repeated label name") }
          index = line.index(after: equals)
          guard index < line.endIndex, line[index] == "\"" else { throw fail("unquoted label value") }
          index = line.index(after: index)
          var value = ""
          while true {
            guard index < line.endIndex else { throw fail("unterminated label value") }
            let character = line[index]
            index = line.index(after: index)
            if character == "\"" { break }
            if character == "\\" {
              guard index < line.endIndex else { throw fail("dangling escape") }
              switch line[index] {
              case "\\": value.append("\\")
              case "\"": value.append("\"")
              case "n": value.append("\n")
              default: throw fail("bad escape")
              }
              index = line.index(after: index)
            } else {
              value.append(character)
            }
          }
          labels[label] = value
          guard index < line.endIndex else { throw fail("unterminated labels") }
          if line[index] == "," { index = line.index(after: index) }
        }
        guard index < line.endIndex else { throw fail("unterminated labels") }
        index = line.index(after: index)
      }
      let fields = line[index...].split(separator: " ")
      guard (1...2).contains(fields.count), let value = Self.value(fields[0]) else { throw fail("bad value") }
      let family = Self.family(of: name, types: types)
      guard types[family] != nil else { throw fail("sample before its TYPE") }
      if family != currentFamily {
        guard !finishedFamilies.contains(family) else { throw fail("family's samples not together") }
        if let currentFamily { finishedFamilies.insert(currentFamily) }
        currentFamily = family
      }
      samples.append(Sample(name: name, labels: labels, value: value))
    }
  }

  /// The value of the one sample named `name` with exactly `labels`, or nil.
  public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
    samples.first { $0.name == name && $0.labels == labels }?.value
  }

  private static func family(of name: String, types: [String: String]) -> String {
    for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
      let base = String(name.dropLast(suffix.count))
      if ["histogram", "summary"].contains(types[base]) { return base }
    }
    return name
  }

  private static func value(_ text: Substring) -> Double? {
    switch text {
    case "+Inf": .infinity
    case "-Inf": -.infinity
    case "NaN": .nan
    default: Double(text)
    }
  }

  private static func isMetricName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" || first == ":" else {
      return false
    }
    return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ":") }
  }

  private static func isLabelName(_ name: String) -> Bool {
    isMetricName(name) && !name.contains(":")
  }
}
