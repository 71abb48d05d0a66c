import ExfilWatchEvent
import ExfilWatchSinks

/// Stored findings as an aligned text table, one line per incident under a header:
///
///     TIME                  SEVERITY  ACTIVITY  VERSION  KEY                          RECORDS  BASELINE  SCORE  ID
///     2025-06-04T16:10:00Z  High      Create          1  client=0H4Hs00000E1gDPKAZ    8,000       120   14.2  exw-e5eef66a137f2d58
///
/// Severity and activity are written as the database and OCSF name them (`High`, `Create`),
/// so what a person reads is what they query. The key comes from the logs: it is escaped and
/// quoted as in the one-line summaries (`DisplayText.quoted`), so a crafted name cannot drive
/// the terminal, and shortened in the middle when long, which keeps a combination's last part
/// (`actor+object=...+Contact`). Numbers are right-aligned; columns are two spaces apart and
/// no line ends in spaces. Widths count characters, so very wide characters (CJK, emoji) may
/// shift a line's later columns.
struct FindingsTable {
  private static let header = [
    "TIME", "SEVERITY", "ACTIVITY", "VERSION", "KEY", "RECORDS", "BASELINE", "SCORE", "ID",
  ]
  /// VERSION, RECORDS, BASELINE, SCORE.
  private static let numericColumns: Set<Int> = [3, 5, 6, 7]
  /// The widest a key is shown: wide enough for an e-mail address or an app name with its
  /// dimension.
  static let maximumKeyWidth = 48

  private let rows: [[String]]

  init(_ findings: [StoredFinding]) {
    rows = findings.map { finding in
      [
        DisplayText.utcSeconds(finding.time),
        finding.severity.name,
        finding.activity.caption,
        String(finding.version),
        Self.shortened(DisplayText.quoted(finding.dimension) + "=" + DisplayText.quoted(finding.key)),
        DisplayText.grouped(finding.records),
        DisplayText.approximate(finding.baselineRecords),
        DisplayText.oneDecimal(finding.score),
        DisplayText.quoted(finding.id),
      ]
    }
  }

  /// The header, then one line per finding.
  var lines: [String] {
    let table = [Self.header] + rows
    let widths = Self.header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
    return table.map { cells in
      cells.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        if Self.numericColumns.contains(column) { return padding + cell }
        return column == cells.count - 1 ? cell : cell + padding
      }.joined(separator: "  ")
    }
  }

  /// `text` cut to `maximumKeyWidth` characters by replacing its middle with `…`.
  static func shortened(_ text: String) -> String {
    guard text.count > maximumKeyWidth else { return text }
    let kept = maximumKeyWidth - 1
    return text.prefix(kept - kept / 2) + "…" + text.suffix(kept / 2)
  }
}
