import ExfilWatchEvent

/// Everything that decides what the detector flags. The defaults were chosen on the
/// simulator's month of contact-centre traffic (README, "How detection works").
public struct DetectorConfiguration: Sendable, Equatable, Codable {
  /// What records are summed per: each dimension's values are the keys with baselines.
  public var dimensions: [Dimension]
  /// The sliding windows watched at once, shortest first.
  public var horizons: [Horizon]
  /// How far behind the newest event time an event may arrive and still be placed in its
  /// window before the window is judged; later events are counted as late.
  public var allowedLateness: Int64
  /// Event time from the first event during which every window teaches and none is flagged.
  public var warmUp: Int64
  /// An incident with no flagged window for this long (event time) is closed. A day, the
  /// longest default window: an attack spread over shifts is flagged once a day at least.
  public var quietPeriod: Int64
  /// Active days of its own a key needs before its baseline counts as much as its peers';
  /// below that the two are blended in proportion.
  public var peerWeightDays: Double
  /// A key flagged without a break for this long is taken to have settled at a new level and
  /// learns it (a new integration going live), so it stops being flagged.
  public var relearnAfter: Int64
  /// The most keys tracked at once; beyond it the least recently seen are forgotten.
  public var maxTrackedKeys: Int
  /// How far ahead of the newest event time an event may be and still move event time at
  /// once; past it, `jumpConfirmations` events in a row must agree (`EventTimeGuard`).
  public var maxTimeJump: Int64
  /// Events in a row past `maxTimeJump` that make a jump real (a gap in the logs) rather than
  /// a wrong clock; also how many first events choose the start time.
  public var jumpConfirmations: Int

  public init(
    dimensions: [Dimension] = Dimension.defaults, horizons: [Horizon] = Horizon.defaults,
    allowedLateness: Int64 = 5 * Duration.minute, warmUp: Int64 = 3 * Duration.day,
    quietPeriod: Int64 = Duration.day,
    peerWeightDays: Double = 3, relearnAfter: Int64 = 10 * Duration.day,
    maxTrackedKeys: Int = 1_000_000, maxTimeJump: Int64 = Duration.hour, jumpConfirmations: Int = 32
  ) {
    self.dimensions = dimensions
    self.horizons = horizons
    self.allowedLateness = allowedLateness
    self.warmUp = warmUp
    self.quietPeriod = quietPeriod
    self.peerWeightDays = peerWeightDays
    self.relearnAfter = relearnAfter
    self.maxTrackedKeys = maxTrackedKeys
    self.maxTimeJump = maxTimeJump
    self.jumpConfirmations = jumpConfirmations
  }

  /// Milliseconds in the units durations are written in.
  public enum Duration {
    public static let second: Int64 = 1000
    public static let minute: Int64 = 60 * second
    public static let hour: Int64 = 60 * minute
    public static let day: Int64 = 24 * hour
  }
}

/// A field of an `AccessEvent` that keys can be made of.
public enum EventField: String, Sendable, CaseIterable, Codable {
  /// The user's name, else the user's id.
  case actor
  case client
  case sourceIP = "source_ip"
  case object
  case session
  case tenant

  @inlinable
  func value(of event: AccessEvent) -> Symbol {
    switch self {
    case .actor: event.actor.isNone ? event.actorID : event.actor
    case .client: event.client
    case .sourceIP: event.sourceIP
    case .object: event.object
    case .session: event.session
    case .tenant: event.tenant
    }
  }
}

/// One or more event fields whose values together form a key: `actor`, `client`,
/// `actor+object`.
public struct Dimension: Sendable, Hashable, Codable, CustomStringConvertible {
  /// At most three fields, in the order written.
  public let fields: [EventField]

  public static let maximumFields = 3
  public static let defaults = [
    Dimension(fields: [.actor]), Dimension(fields: [.client]), Dimension(fields: [.sourceIP]),
  ]

  public init(fields: [EventField]) {
    precondition((1...Self.maximumFields).contains(fields.count), "a dimension has 1 to 3 fields")
    self.fields = fields
  }

  /// Parses `actor`, `source_ip`, `actor+object`; the error names the field that is not known.
  public init(parsing text: String) throws(DetectorConfigurationError) {
    let names = text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
    guard (1...Self.maximumFields).contains(names.count) else {
      throw .badDimension(text, reason: "a dimension has 1 to \(Self.maximumFields) fields joined with '+'")
    }
    var fields: [EventField] = []
    for name in names {
      guard let field = EventField(rawValue: name) else {
        let known = EventField.allCases.map(\.rawValue).joined(separator: ", ")
        throw .badDimension(text, reason: "'\(name)' is not a field (known: \(known))")
      }
      guard !fields.contains(field) else { throw .badDimension(text, reason: "'\(name)' appears twice") }
      fields.append(field)
    }
    self.init(fields: fields)
  }

  public var description: String { fields.map(\.rawValue).joined(separator: "+") }
}

/// A sliding window length, how often it advances, and when a window of it is flagged.
public struct Horizon: Sendable, Equatable, Codable {
  /// `5m`, `1h`, `24h`: how findings and the README name it.
  public var name: String
  public var window: Int64
  /// The window advances by this much; `window` must be a whole number of hops.
  public var hop: Int64
  public var thresholds: Thresholds

  public init(name: String, window: Int64, hop: Int64, thresholds: Thresholds) {
    precondition(hop > 0 && window % hop == 0 && window / hop <= 64, "window must be 1 to 64 hops")
    self.name = name
    self.window = window
    self.hop = hop
    self.thresholds = thresholds
  }

  var hopsPerWindow: Int { Int(window / hop) }

  typealias Duration = DetectorConfiguration.Duration

  public static let defaults = [
    Horizon(
      name: "5m", window: 5 * Duration.minute, hop: Duration.minute,
      thresholds: Thresholds(
        score: 4, recordFloor: 5_000, readFloor: 1_000, multiple: 10, spreadFloor: 0.5)),
    Horizon(
      name: "1h", window: Duration.hour, hop: 12 * Duration.minute,
      thresholds: Thresholds(
        score: 4, recordFloor: 10_000, readFloor: 3_000, multiple: 6, spreadFloor: 0.4)),
    Horizon(
      name: "24h", window: Duration.day, hop: 4 * Duration.hour,
      thresholds: Thresholds(
        score: 3.5, recordFloor: 2_500, readFloor: 10_000, multiple: 2, spreadFloor: 0.25)),
  ]
}

/// The three tests a window must all pass to be flagged, per horizon.
public struct Thresholds: Sendable, Equatable, Codable {
  /// Robust standard deviations (of log1p of the volume) above the key's baseline, after
  /// subtracting its peers' concurrent rise.
  public var score: Double
  /// The least records, and the least read events, a flagged window holds: small absolute
  /// volumes are never worth an alert, however unusual.
  public var recordFloor: Int64
  public var readFloor: Int64
  /// The least multiple of the key's typical window.
  public var multiple: Double
  /// The least standard deviation (of log1p volume) a baseline is taken to have: a key whose
  /// windows have all been alike would otherwise be flagged for the smallest change.
  public var spreadFloor: Double

  public init(score: Double, recordFloor: Int64, readFloor: Int64, multiple: Double, spreadFloor: Double) {
    self.score = score
    self.recordFloor = recordFloor
    self.readFloor = readFloor
    self.multiple = multiple
    self.spreadFloor = spreadFloor
  }
}

/// A configuration that cannot be used, with what to change.
public enum DetectorConfigurationError: Error, Equatable, CustomStringConvertible {
  case badDimension(String, reason: String)

  public var description: String {
    switch self {
    case .badDimension(let text, let reason): "bad dimension '\(text)': \(reason)"
    }
  }
}
