import ExfilWatchDetector

/// The values a finding names for a window in its headline fields (OCSF `evidences`, a syslog
/// structured-data element, a CEF extension): the first real one of each breakdown, which is the one with the most records.
/// The `(other)` and `(none)` placeholders name no one, and only a real IP address is given
/// as a source IP (IP fields in logs also hold markers such as `Salesforce.com IP`).
extension WindowEvidence {
  var topActor: Tally? { actors.first(where: \.isIdentified) }
  var topClient: Tally? { clients.first(where: \.isIdentified) }
  var topSourceIP: Tally? { sourceIPs.first(where: \.isIPAddress) }
  var topObject: Tally? { objects.first(where: \.isIdentified) }
}
