import ExfilWatchEvent

/// Builds access events for detector tests, interning their strings in one table.
struct EventFactory {
  let symbols = SymbolTable()
  let input: Symbol

  init(input: String = "test.jsonl") {
    self.input = symbols.intern(input)
  }

  func read(
    at time: Int64, actor: String, client: String = "Service Console", ip: String = "10.0.0.1",
    object: String = "Contact", records: Int64, id: String? = nil, line: Int = 1, tenant: String = ""
  ) -> AccessEvent {
    AccessEvent(
      time: time, actor: symbols.intern(actor), client: symbols.intern(client),
      sourceIP: symbols.intern(ip), action: .query, object: symbols.intern(object), records: records,
      eventID: id.map(EventID.init), tenant: symbols.intern(tenant), format: .salesforceRTEM,
      origin: EventOrigin(input: input, line: line, offset: 0))
  }
}
