/// One access to a platform's data, whatever platform logged it: the canonical event that every
/// format is parsed into and that the detector consumes.
///
/// Strings that repeat across events (actors, clients, IPs, objects) are interned `Symbol`s, so
/// an event is a value with no heap storage; the symbols' text lives once in the `SymbolTable`
/// of the run.
public struct AccessEvent: Sendable, Equatable {
  /// Event time, UTC epoch milliseconds.
  public var time: Int64
  /// The user's name (login name, UPN, email).
  public var actor: Symbol
  /// The user's id on the platform.
  public var actorID: Symbol
  /// The connected app, API client or application; else the user agent.
  public var client: Symbol
  public var sourceIP: Symbol
  public var action: AccessAction
  /// The entity type read (`Contact`, a table, `File`).
  public var object: Symbol
  /// Records read, counted once per logical read (see Formats.md); 0 for events that are not
  /// reads.
  public var records: Int64
  /// Bytes read, where the platform says.
  public var bytes: Int64?
  public var session: Symbol
  /// The platform's own id of the event, for evidence. Not interned: it is unique per event.
  public var eventID: EventID?
  /// The org, tenant or instance.
  public var tenant: Symbol
  public var format: LogFormat
  /// Where the record came from.
  public var origin: EventOrigin
  /// The logical read this event is a page or chunk of, when the platform logs one read as
  /// several events: `records` holds the rows the page reports until a `ReadOperationTracker`
  /// counts it, after the inputs are merged into time order (where pages of one read in two
  /// files meet in the order they happened).
  public var operation: ReadOperation?

  public init(
    time: Int64, actor: Symbol = .none, actorID: Symbol = .none, client: Symbol = .none,
    sourceIP: Symbol = .none, action: AccessAction, object: Symbol = .none, records: Int64,
    bytes: Int64? = nil, session: Symbol = .none, eventID: EventID? = nil, tenant: Symbol = .none,
    format: LogFormat, origin: EventOrigin
  ) {
    self.time = time
    self.actor = actor
    self.actorID = actorID
    self.client = client
    self.sourceIP = sourceIP
    self.action = action
    self.object = object
    self.records = records
    self.bytes = bytes
    self.session = session
    self.eventID = eventID
    self.tenant = tenant
    self.format = format
    self.origin = origin
  }

  /// Whether the event reads data (and so counts towards the volume the detector watches).
  public var isRead: Bool { action.isRead }
}

/// What an event did, normalised across platforms.
public enum AccessAction: String, Sendable, CaseIterable {
  case query
  case export
  case report
  case listView = "list_view"
  case view
  case download
  case search
  case login
  case apiCall = "api_call"
  case change
  case other

  /// Reads are the events whose volume is watched; logins, changes and bare API calls are
  /// context.
  public var isRead: Bool {
    switch self {
    case .query, .export, .report, .listView, .view, .download, .search: return true
    case .login, .apiCall, .change, .other: return false
    }
  }
}

/// The log formats ExfilWatch reads, by their command-line names.
public enum LogFormat: String, Sendable, CaseIterable {
  case salesforceRTEM = "sf-rtem"
  case salesforceELF = "sf-elf"
  case okta
  case m365
  case servicenow
  case zendesk
  case jsonl
  case csv
}

/// Where an event's record sits in its input: enough for a finding to point at its evidence.
public struct EventOrigin: Sendable, Equatable {
  // The symbol last: the detector keeps origins with its samples, three per bucket.
  /// The 1-based line where the record starts in the decoded input.
  public var line: Int
  /// The decoded byte offset of the record's first byte: where a resumed run restarts.
  public var offset: Int64
  /// The input, interned (its name as the user gave it).
  public var input: Symbol

  public init(input: Symbol, line: Int, offset: Int64) {
    self.input = input
    self.line = line
    self.offset = offset
  }
}

/// One page of a logical read (a query's `QueryMore` pages, a report's chunks, a Bulk API job's
/// batches).
public struct ReadOperation: Sendable, Equatable {
  /// The operation, hashed from the fields that name it (session and query text, job id).
  public var key: UInt64
  /// The rows the page reports: the running total of the operation so far.
  public var rows: Int64
  /// Whether the page starts a new operation under a key seen before (a repeated query).
  public var startsOperation: Bool

  public init(key: UInt64, rows: Int64, startsOperation: Bool) {
    self.key = key
    self.rows = rows
    self.startsOperation = startsOperation
  }
}
