import ExfilWatchEvent
import ExfilWatchParser

/// Collects what the Parser stage gives for an input.
struct EventCollector: EventHandler {
  var events: [AccessEvent] = []
  var rejects: [(reason: RejectReason, line: Int)] = []

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
  name: String = "input"
) throws -> EventCollector {
  let parser = EventParser(inputName: name, symbols: symbols, options: ParserOptions(format: format))
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
  return collector
}
