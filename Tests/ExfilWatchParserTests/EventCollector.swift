import ExfilWatchEvent
import ExfilWatchParser

/// Collects what the Parser stage gives for an input.
struct EventCollector: EventHandler {
  var events: [AccessEvent] = []
  var rejects: [(reason: RejectReason, line: Int)] = []
  /// The parser's summary, once the input is finished.
  var summary = InputSummary()

  mutating func handleEvent(_ event: AccessEvent) {
    events.append(event)
  }

  mutating func handleReject(_ reject: RejectedRecord) {
    rejects.append((reject.reason, reject.line))
  }
}

/// Parses `text` as one input fed in chunks of `chunkSize` bytes.
func parseEvents(
  _ text: [UInt8], format: FormatChoice, symbols: SymbolTable, chunkSize: Int = 1 << 16,
  name: String = "input", options: ParserOptions = ParserOptions()
) throws -> EventCollector {
  var options = options
  options.format = format
  let parser = EventParser(inputName: name, symbols: symbols, options: options)
  var collector = EventCollector()
  try text.withUnsafeBytes { all in
    var start = 0
    while start < all.count {
      let end = min(all.count, start + chunkSize)
      try parser.feed(UnsafeRawBufferPointer(rebasing: all[start..<end]), into: &collector)
      start = end
    }
  }
  try parser.finish(into: &collector)
  collector.summary = parser.summary
  return collector
}
