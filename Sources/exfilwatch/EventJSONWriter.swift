import ExfilWatchEvent
import ExfilWatchParser

/// Writes `AccessEvent`s as the JSON lines of `exfilwatch events`, keys in the documented order
/// (Sources/ExfilWatchParser/Formats.md): time, actor, actorId, client, sourceIP, action,
/// object, records, isRead, bytes, session, eventID, tenant, format, source.
struct EventJSONWriter {
  let symbols: SymbolTable
  private var line: [UInt8] = []

  init(symbols: SymbolTable) {
    self.symbols = symbols
  }

  mutating func write(_ event: AccessEvent, to output: StandardOutput) {
    line.removeAll(keepingCapacity: true)
    line.append(UInt8(ascii: "{"))
    JSONText.appendKey("time", to: &line, first: true)
    line.append(UInt8(ascii: "\""))
    Timestamp.appendISO8601(event.time, to: &line)
    line.append(UInt8(ascii: "\""))
    appendSymbol("actor", event.actor)
    appendSymbol("actorId", event.actorID)
    appendSymbol("client", event.client)
    appendSymbol("sourceIP", event.sourceIP)
    JSONText.appendKey("action", to: &line)
    JSONText.appendString(event.action.rawValue, to: &line)
    appendSymbol("object", event.object)
    JSONText.appendKey("records", to: &line)
    JSONText.appendInteger(event.records, to: &line)
    JSONText.appendKey("isRead", to: &line)
    line.append(contentsOf: (event.isRead ? "true" : "false").utf8)
    JSONText.appendKey("bytes", to: &line)
    if let bytes = event.bytes { JSONText.appendInteger(bytes, to: &line) } else { JSONText.appendNull(to: &line) }
    appendSymbol("session", event.session)
    JSONText.appendKey("eventID", to: &line)
    if let eventID = event.eventID {
      eventID.withBytes { JSONText.appendString($0, to: &line) }
    } else {
      JSONText.appendNull(to: &line)
    }
    appendSymbol("tenant", event.tenant)
    JSONText.appendKey("format", to: &line)
    JSONText.appendString(event.format.rawValue, to: &line)
    JSONText.appendKey("source", to: &line)
    line.append(UInt8(ascii: "\""))
    symbols.withBytes(event.origin.input) { JSONText.appendStringContent($0, to: &line) }
    line.append(UInt8(ascii: ":"))
    JSONText.appendInteger(event.origin.line, to: &line)
    line.append(UInt8(ascii: "\""))
    line.append(UInt8(ascii: "}"))
    line.withUnsafeBytes { output.writeLine($0) }
  }

  private mutating func appendSymbol(_ key: StaticString, _ symbol: Symbol) {
    JSONText.appendKey(key, to: &line)
    if symbol.isNone {
      JSONText.appendNull(to: &line)
    } else {
      symbols.withBytes(symbol) { JSONText.appendString($0, to: &line) }
    }
  }
}
