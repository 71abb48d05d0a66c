import ExfilWatchEvent

/// Text as the report shows it: escaped for HTML, times in UTC.
enum ReportText {
  /// `&`, `<`, `>`, `"` and `'` as entities: log values (user names, user agents) are
  /// attacker-influenced and must stay text in the page.
  static func escape(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    // By scalar, not by character: a quote followed by a combining mark is one character.
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": escaped += "&amp;"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      case "\"": escaped += "&quot;"
      case "'": escaped += "&#39;"
      default: escaped.unicodeScalars.append(scalar)
      }
    }
    return escaped
  }

  /// `2025-06-04T16:03:00Z`.
  static func time(_ milliseconds: Int64) -> String { DisplayText.utcSeconds(milliseconds) }

  /// `2025-06-04`.
  static func day(_ milliseconds: Int64) -> String { String(time(milliseconds).prefix(10)) }

  static func severityClass(_ severity: String) -> String {
    ["Low", "Medium", "High", "Critical"].contains(severity) ? "severity-\(severity.lowercased())" : "severity-low"
  }
}
