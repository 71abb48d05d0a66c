import ExfilWatchParser

/// Reports rejected records: every one to the rejects file, if any, and the first few on
/// standard error, so a broken input is visible without flooding the terminal.
struct RejectReporter {
  let rejectsFile: RejectsFile?
  private var shown = 0

  /// Rejected records shown on standard error before only the count is.
  static let shownLimit = 5

  init(rejectsFile: RejectsFile?) {
    self.rejectsFile = rejectsFile
  }

  /// - Parameter beforeMessage: makes room for the message (flushes standard output, clears
  ///   a progress line), so it lands between the lines it is about.
  mutating func report(_ reject: RejectedRecord, input: String, beforeMessage: () -> Void) throws {
    try rejectsFile?.write(reject, input: input)
    shown += 1
    guard shown <= Self.shownLimit else { return }
    var message = "\(input):\(reject.line): rejected record (\(reject.reason.rawValue))"
    if shown == Self.shownLimit { message += "; further rejects are only counted" }
    beforeMessage()
    Log.warning(message, ["input": "\(input)", "line": "\(reject.line)", "reason": "\(reject.reason.rawValue)"])
  }
}
