import ExfilWatchDetector
import ExfilWatchEvent
import Testing

/// Allowlisted keys: never flagged, or flagged only past their own thresholds, while the
/// others of the same attack still are.
@Suite struct AllowlistTests {
  let factory = EventFactory()

  /// A month of normal traffic and one bulk read by a service account through a new app.
  private func traffic() -> [AccessEvent] {
    let start = SyntheticTraffic.start + 5 * Duration.day + 2 * Duration.hour
    return merged(
      SyntheticTraffic().events(factory),
      burst(factory, from: start, count: 100, records: 2_000, actor: "ETL.Nightly@example.com",
        client: "DataLoaderPartnerUI", ip: "10.20.30.40", every: 3 * Duration.second))
  }

  private func flaggedKeys(_ findings: [Finding]) -> Set<String> {
    Set(findings.flatMap(\.keys).map { "\($0.dimension)=\($0.value)" })
  }

  @Test func withoutAnEntryEveryKeyOfTheReadIsFlagged() {
    let keys = flaggedKeys(detect(traffic(), symbols: factory.symbols).findings)
    #expect(keys.isSuperset(of: ["actor=ETL.Nightly@example.com", "client=DataLoaderPartnerUI", "source_ip=10.20.30.40"]))
  }

  @Test func matchedKeysAreNeverFlaggedTheOthersStillAre() {
    let allowlist = Allowlist(entries: [
      Allowlist.Entry(field: .actor, match: .value("etl.nightly@EXAMPLE.com"), reason: "nightly export"),
      Allowlist.Entry(field: .sourceIP, match: .network(IPNetwork(parsing: "10.20.0.0/16")!)),
    ])
    let keys = flaggedKeys(detect(traffic(), symbols: factory.symbols, allowlist: allowlist).findings)
    #expect(!keys.contains("actor=ETL.Nightly@example.com"))
    #expect(!keys.contains("source_ip=10.20.30.40"))
    #expect(keys.contains("client=DataLoaderPartnerUI"))
  }

  @Test func ownThresholdsRaiseTheBarForTheMatchedKeyOnly() {
    let high = Allowlist(entries: [
      Allowlist.Entry(field: .client, match: .value("DataLoaderPartnerUI"),
        thresholds: Allowlist.ThresholdOverrides(recordFloor: 10_000_000, readFloor: 10_000_000))
    ])
    let keys = flaggedKeys(detect(traffic(), symbols: factory.symbols, allowlist: high).findings)
    #expect(!keys.contains("client=DataLoaderPartnerUI"))
    #expect(keys.contains("actor=ETL.Nightly@example.com"))
    let low = Allowlist(entries: [
      Allowlist.Entry(field: .client, match: .value("DataLoaderPartnerUI"),
        thresholds: Allowlist.ThresholdOverrides(recordFloor: 1_000))
    ])
    #expect(flaggedKeys(detect(traffic(), symbols: factory.symbols, allowlist: low).findings).contains("client=DataLoaderPartnerUI"))
  }

  @Test func aTenantEntryCoversEveryKeyOfTheTenant() {
    let start = SyntheticTraffic.start + 5 * Duration.day + 2 * Duration.hour
    let events = merged(
      SyntheticTraffic().events(factory),
      (0..<100).map { index in
        factory.read(
          at: start + Int64(index) * 3 * Duration.second, actor: "x@sandbox.example", client: "DataLoaderPartnerUI",
          ip: "198.51.100.9", records: 2_000, id: "t-\(index)", line: 2_000_000 + index, tenant: "00DSANDBOX")
      })
    #expect(!detect(events, symbols: factory.symbols).findings.isEmpty)
    let allowlist = Allowlist(entries: [Allowlist.Entry(field: .tenant, match: .value("00dsandbox"))])
    #expect(detect(events, symbols: factory.symbols, allowlist: allowlist).findings.isEmpty)
    #expect(allowlist.unmatchable(by: Dimension.defaults).isEmpty)
    let objects = Allowlist(entries: [Allowlist.Entry(field: .object, match: .value("Contact"))])
    #expect(objects.unmatchable(by: Dimension.defaults).count == 1)
    #expect(objects.unmatchable(by: [Dimension(fields: [.actor, .object])]).isEmpty)
  }

  @Test func networksMatchByPrefix() throws {
    let v4 = try #require(IPNetwork(parsing: "10.20.0.0/16"))
    #expect(v4.contains("10.20.255.1"))
    #expect(!v4.contains("10.21.0.1"))
    #expect(!v4.contains("2001:db8::1"))
    let odd = try #require(IPNetwork(parsing: "192.168.1.128/25"))
    #expect(odd.contains("192.168.1.200") && !odd.contains("192.168.1.127"))
    let v6 = try #require(IPNetwork(parsing: "2001:db8::/32"))
    #expect(v6.contains("2001:db8:ffff::5") && !v6.contains("2001:db9::5"))
    #expect(try #require(IPNetwork(parsing: "198.51.100.7")).contains("198.51.100.7"))
    #expect(!(try #require(IPNetwork(parsing: "198.51.100.7"))).contains("198.51.100.8"))
    for bad in ["10.0.0.0/33", "300.1.1.1", "10.0.0.0/", "example.com", "::/129"] {
      #expect(IPNetwork(parsing: bad) == nil, "\(bad)")
    }
  }
}
