import ExfilWatchEvent

/// Which format an input is read as.
public enum FormatChoice: Equatable, Sendable {
  /// Recognised from the first record of each input.
  case auto
  case fixed(LogFormat)

  /// `auto` or a format name (`sf-rtem`, `sf-elf`, `okta`, ...).
  public init?(name: String) {
    if name == "auto" {
      self = .auto
    } else if let format = LogFormat(rawValue: name) {
      self = .fixed(format)
    } else {
      return nil
    }
  }
}

/// How the Parser stage reads inputs.
public struct ParserOptions: Sendable {
  public var format: FormatChoice
  public var mapping: FieldMapping
  /// The longest record kept, in bytes; longer ones are rejected as `overlong`.
  public var maxRecordLength: Int
  /// The longest value (user name, client, address, object, session) kept as it is; longer
  /// ones are shortened to this many bytes and a hash of the whole.
  public var maxValueLength: Int
  /// The most fields one record may have (JSON members and elements, at any depth; CSV
  /// columns); a record with more is rejected as `too-many-fields`.
  public var maxFields: Int

  public init(
    format: FormatChoice = .auto, mapping: FieldMapping = FieldMapping(), maxRecordLength: Int = 1 << 20,
    maxValueLength: Int = ParserOptions.defaultMaxValueLength, maxFields: Int = ParserOptions.defaultMaxFields
  ) {
    self.format = format
    self.mapping = mapping
    self.maxRecordLength = maxRecordLength
    self.maxValueLength = maxValueLength
    self.maxFields = maxFields
  }

  /// Ten times the fields of the widest real record seen (a Salesforce ELF export's 100-odd
  /// columns; RTEM's 40-odd members with their nested records).
  public static let defaultMaxFields = 4_096

  /// Longer than any real user name, app name or user agent, short enough that a flood of
  /// crafted ones cannot fill memory.
  public static let defaultMaxValueLength = 512
}

/// Receives what the Parser stage makes of an input, in input order.
public protocol EventHandler {
  mutating func handleEvent(_ event: AccessEvent) throws
  /// A record that did not become an event; its bytes are valid only during the call.
  mutating func handleReject(_ reject: RejectedRecord) throws
}

/// A record that did not become an event, with where it was and why.
public struct RejectedRecord {
  public var reason: RejectReason
  /// The 1-based line where the record starts.
  public var line: Int
  /// The decoded byte offset where the record starts.
  public var offset: Int64
  /// The record's bytes (empty for an overlong record, which was not kept).
  public var bytes: UnsafeRawBufferPointer
  /// The record's length in bytes.
  public var length: Int
}

/// What the Parser stage made of one input.
public struct InputSummary: Sendable, Equatable {
  public var format: LogFormat?
  /// Records framed (CSV header rows not included).
  public var records = 0
  public var events = 0
  public var reads = 0
  public var rejects: [RejectReason: Int] = [:]
  /// Values longer than `ParserOptions.maxValueLength`, shortened.
  public var shortenedValues = 0

  public init() {}

  /// Adds the counts of another reading of the same input.
  public mutating func add(_ other: InputSummary) {
    format = format ?? other.format
    records += other.records
    events += other.events
    reads += other.reads
    rejects.merge(other.rejects, uniquingKeysWith: +)
    shortenedValues += other.shortenedValues
  }

  public var rejected: Int { rejects.values.reduce(0, +) }

  /// The reason most records were rejected for; of equally common reasons the first by name,
  /// so that messages do not change with the dictionary's order.
  public var mostCommonReject: RejectReason? {
    rejects.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
  }
}

/// An input that cannot be parsed at all.
public enum ParseError: Error, CustomStringConvertible {
  case unrecognisedFormat(input: String, shape: String)
  case mappingRequired(input: String, format: LogFormat)
  case wrongFormat(input: String, format: LogFormat?, rejected: Int, of: Int, reason: RejectReason?)

  public var description: String {
    switch self {
    case .unrecognisedFormat(let input, let shape):
      return "\(input): cannot recognise the platform of this \(shape) input from its first "
        + "record; name it with --format (sf-rtem, sf-elf, okta, m365, servicenow, zendesk), or "
        + "map its fields with --format jsonl/csv --field NAME=PATH"
    case .mappingRequired(let input, let format):
      return "\(input): --format \(format.rawValue) needs a field mapping (--field time=PATH ...)"
    case .wrongFormat(let input, let format, let rejected, let total, let reason):
      let name = format?.rawValue ?? "the chosen format"
      let why = reason.map { " (mostly \($0.rawValue))" } ?? ""
      // Records over a limit say nothing about the format: the limit may be set too low.
      let verdict = switch reason {
      case .tooManyFields?: "its records have more fields than --max-fields allows (raise it if this input is \(name))"
      case .overlong?: "its records are longer than --max-record-length allows (raise it if this input is \(name))"
      default: "this input is not \(name)"
      }
      return "\(input): \(rejected) of the first \(total) records were rejected\(why): \(verdict); stopped reading it"
    }
  }
}
