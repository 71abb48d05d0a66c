/// Salesforce's own API calls (the "Automated Process" user reading `Organization`, API
/// version 9998.0, `CLIENT_IP` "Salesforce.com IP", some with no row count), every 5-15
/// minutes, as in SampleLogs' ELF file. ApiEvent does not capture them, so they are written to
/// ELF only.
final class InternalActivity: ActivitySource {
  private let organisation: Organisation
  private var random: SimulationRandom
  private var clock: Int64

  init(organisation: Organisation) {
    self.organisation = organisation
    random = SimulationRandom(seed: organisation.options.seed, stream: .internalCalls)
    clock = organisation.windowStart + random.int64(0...600_000)
  }

  func next() -> SimulatedEvent? {
    guard clock < organisation.windowEnd else { return nil }
    let rows: Int64? = [nil, nil, 1, 1, 3][random.int(0...4)]
    let event = SimulatedEvent(
      time: clock, kind: .query, entity: .organization, principal: organisation.internalPrincipal,
      session: 0, query: .none, rowsProcessed: rows, rowsReturned: rows ?? 0,
      totalSize: rows ?? 0, counted: rows ?? 0, elapsed: Int32(random.int(3...30)),
      noise: random.next())
    clock += random.int64(5 * Milliseconds.minute...15 * Milliseconds.minute)
    return event
  }
}
