import ExfilWatchDetector
import ExfilWatchEvent

/// A finding as a Slack incoming-webhook message: `text` for the notification and clients
/// without blocks, and Block Kit blocks a person reads in the channel (who, what, how many
/// against normal, when).
///
/// Everything in it comes from the logs, which an attacker can write to (a user name is theirs
/// to choose), so values are escaped for Slack's mrkdwn (`&`, `<`, `>`: `<!channel>` would ping
/// everyone, `<https://...|...>` would plant a link), text objects are `verbatim` (Slack makes
/// no links of URLs or addresses in them) and nothing unfurls, and every text is kept within
/// Slack's limits (header 150 characters, section text 3,000, field 2,000), counted in Unicode
/// scalars so a name of combining marks cannot pass as short: past a limit Slack refuses the
/// whole message with 400. No links are added: the finding id is what a person looks up.
struct SlackMessage {
  var finding: Finding
  var productVersion: String

  var json: JSONValue {
    let evidence = finding.evidence
    let headline = "\(finding.severity.name.uppercased()) \(finding.activity.noun): \(finding.title)"
    var fields: [JSONValue] = []
    for (label, tallies) in [
      ("Actor", evidence.actors), ("Client app", evidence.clients), ("Source IP", evidence.sourceIPs),
      ("Objects", evidence.objects),
    ] {
      let names = tallies.filter(\.isIdentified).prefix(3).map(\.name)
      guard !names.isEmpty else { continue }
      fields.append(Self.mrkdwn("*\(label)*\n" + Self.limited(Self.escaped(names.joined(separator: ", ")), to: 1900)))
    }
    fields.append(Self.mrkdwn("*Window*\n\(DisplayText.utcSeconds(evidence.windowStart)) – \(DisplayText.utcSeconds(evidence.windowEnd)) (\(evidence.horizon))"))
    fields.append(Self.mrkdwn("*Volume*\n\(volume(evidence))"))
    if let tenant = finding.tenant {
      fields.append(Self.mrkdwn("*Tenant*\n" + Self.limited(Self.escaped(tenant), to: 1900)))
    }
    let context = "finding \(finding.id) revision \(finding.revision) · \(finding.analytic) · ExfilWatch \(productVersion)"
    return [
      "text": .string(Self.limited(Self.escaped("\(headline). \(finding.description)"), to: 3000)),
      "unfurl_links": false,
      "unfurl_media": false,
      "blocks": [
        ["type": "header", "text": ["type": "plain_text", "text": .string(Self.limited(headline, to: 150))]],
        [
          "type": "section",
          "text": Self.mrkdwn(Self.limited(Self.escaped(finding.description), to: 3000)),
          "fields": .array(fields),
        ],
        ["type": "context", "elements": [Self.mrkdwn(Self.escaped(context))]],
      ],
    ]
  }

  private func volume(_ evidence: WindowEvidence) -> String {
    let records = evidence.metric == .records
    let observed = records ? evidence.records : evidence.reads
    let typical = records ? evidence.baselineRecords : evidence.baselineReads
    let unit = records ? "records" : "reads"
    let typicalText = typical.isFinite ? DisplayText.grouped(Int64(typical.rounded())) : "none"
    return "*\(DisplayText.grouped(observed))* \(unit), typically \(typicalText) "
      + "(\(DisplayText.oneDecimal(evidence.multiple))x the busiest recent, score \(DisplayText.oneDecimal(evidence.score)))"
  }

  private static func mrkdwn(_ text: String) -> JSONValue {
    ["type": "mrkdwn", "text": .string(text), "verbatim": true]
  }

  /// Slack's three control characters in mrkdwn, as its docs ask.
  static func escaped(_ text: String) -> String {
    var result = ""
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      default: result.append(character)
      }
    }
    return result
  }

  /// At most `limit` Unicode scalars, the cut marked with an ellipsis; never inside an escape.
  static func limited(_ text: String, to limit: Int) -> String {
    guard text.unicodeScalars.count > limit else { return text }
    var cut = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit - 1)))
    if let ampersand = cut.lastIndex(of: "&"), !cut[ampersand...].contains(";") {
      cut = String(cut[..<ampersand])
    }
    return cut + "…"
  }
}

extension Finding.Activity {
  fileprivate var noun: String {
    switch self {
    case .create: "new incident"
    case .update: "incident update"
    case .close: "incident closed"
    }
  }
}
