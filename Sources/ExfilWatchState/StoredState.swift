import Foundation

/// What the state store keeps about one input source: enough to find the same file again and
/// resume reading it where the last committed run stopped.
///
/// The store never interprets these values. Identity is a (device, inode) pair *plus* a
/// fingerprint of the file's first bytes, because either alone is fooled: rotation renames keep
/// the inode but change the path, and a recycled inode keeps the number but not the content.
/// The position is opaque because only the reader knows how to resume inside a zstd frame or a
/// gzip member.
public struct StoredSource: Sendable, Hashable {
  /// The path the source was last read under; unique within one state.
  public var path: String
  /// `st_dev` of the file.
  public var device: UInt64
  /// `st_ino` of the file.
  public var inode: UInt64
  /// How many leading bytes (decoded content) `fingerprint` covers, so a file shorter than the
  /// usual fingerprint can be re-fingerprinted once it grows.
  public var fingerprintLength: Int
  /// A 64-bit hash of the first `fingerprintLength` bytes.
  public var fingerprint: UInt64
  /// Where to resume, encoded by the reader (compressed offset of the frame start, decoded bytes
  /// already consumed, offset marker, ...).
  public var position: [UInt8]
  /// When this source's position last advanced, in milliseconds since the Unix epoch (UTC).
  /// Given by the caller: the store has no clock, so tests stay deterministic.
  public var updatedAtMilliseconds: Int64

  public init(
    path: String, device: UInt64, inode: UInt64, fingerprintLength: Int, fingerprint: UInt64,
    position: [UInt8], updatedAtMilliseconds: Int64
  ) {
    self.path = path
    self.device = device
    self.inode = inode
    self.fingerprintLength = fingerprintLength
    self.fingerprint = fingerprint
    self.position = position
    self.updatedAtMilliseconds = updatedAtMilliseconds
  }
}

/// The detector's serialized state, stored as opaque blobs.
///
/// The store knows nothing about windows or baselines: the detector encodes itself, and keeps its
/// interned symbol table (actor names, client apps, IPs) apart from the numeric state so each can
/// be versioned and decoded on its own.
public struct DetectorSnapshot: Sendable, Hashable {
  /// Empty in a snapshot made by `init(writingState:symbols:operations:)`, which holds the
  /// state only compressed.
  public var state: [UInt8]
  public var symbols: [UInt8]
  /// The logical-read tracker (pages of one query counted once): a query whose pages fall on
  /// both sides of a stop must still count once.
  public var operations: [UInt8]
  /// The state as the store keeps it (`CompressedBlob`), when it was compressed as it was
  /// written.
  var compressedState: Data?

  public init(state: [UInt8], symbols: [UInt8], operations: [UInt8] = []) {
    self.state = state
    self.symbols = symbols
    self.operations = operations
  }

  /// A snapshot whose state `write` hands over piece by piece (as `Detector.writeState`
  /// does), compressed as it comes: the state is never held whole, 700 MB at 100,000 keys.
  public init(
    writingState write: (_ piece: (UnsafeRawBufferPointer) throws -> Void) throws -> Void, symbols: [UInt8],
    operations: [UInt8] = []
  ) throws {
    self.init(state: [], symbols: symbols, operations: operations)
    compressedState = try CompressedBlob.compressed(producing: write)
  }
}

/// One version of one finding that one sink has accepted.
///
/// A finding grows as an attack goes on and is re-sent under the same id with a higher version;
/// remembering (sink, id, version) lets a resumed run skip exactly what each sink already has,
/// and lets a sink that failed catch up without the others seeing duplicates.
public struct DeliveredFinding: Sendable, Hashable {
  /// The sink's configured name (e.g. `siem-jsonl`), not its type: two webhook sinks are
  /// delivered to separately.
  public var sink: String
  /// The finding's stable id (OCSF `finding_info.uid`).
  public var findingID: String
  public var version: Int

  public init(sink: String, findingID: String, version: Int) {
    self.sink = sink
    self.findingID = findingID
    self.version = version
  }
}

/// One finding that a remote sink (webhook, syslog) has not acknowledged yet, kept so the next
/// run sends it first, in the order it was judged.
///
/// The finding is kept, not the message rendered from it, so the next run renders it for the
/// sink as configured then; the store does not interpret the bytes.
public struct SpooledMessage: Sendable, Hashable {
  public var findingID: String
  public var version: Int
  /// The finding, encoded by the run.
  public var finding: [UInt8]

  public init(findingID: String, version: Int, finding: [UInt8]) {
    self.findingID = findingID
    self.version = version
    self.finding = finding
  }
}

/// Everything the last committed run left for the next one.
///
/// A plain value, read once at the start of a run: the run then answers "was this delivered?"
/// from memory (a few thousand lookups at most) and keeps its own additions until it commits.
public struct StoredState: Sendable, Equatable {
  /// One entry per source, in path order.
  public var sources: [StoredSource]
  /// The detector's state, or nil if nothing was ever committed.
  public var detector: DetectorSnapshot?
  /// Every (sink, finding id, version) ever committed as delivered.
  public var delivered: Set<DeliveredFinding>
  /// Cumulative counters over all runs (events read, findings emitted, ...), by name.
  public var totals: [String: Int64]
  /// Messages not yet acknowledged, by sink name, in the order they are to be sent.
  public var spool: [String: [SpooledMessage]]

  public init(
    sources: [StoredSource] = [], detector: DetectorSnapshot? = nil,
    delivered: Set<DeliveredFinding> = [], totals: [String: Int64] = [:],
    spool: [String: [SpooledMessage]] = [:]
  ) {
    self.sources = sources
    self.detector = detector
    self.delivered = delivered
    self.totals = totals
    self.spool = spool
  }

  /// True if `sink` already accepted this version of the finding.
  public func isDelivered(sink: String, findingID: String, version: Int) -> Bool {
    delivered.contains(DeliveredFinding(sink: sink, findingID: findingID, version: version))
  }
}

/// What one commit writes, atomically: after it, the stored state is exactly "these sources,
/// this detector, what was delivered before plus these, these totals".
///
/// Sources and detector are *replaced* (they describe the present); delivered findings are
/// *added* (they are history, and re-adding one is harmless); totals are *set* by name (a name
/// not given keeps its value, so a run never erases a counter it does not know); a sink's spool
/// is *replaced* for each sink named (a sink this run does not use keeps its spool).
public struct StateUpdate: Sendable, Equatable {
  /// The complete set of sources; any stored source not listed is forgotten. Paths must be
  /// unique, or the commit is rejected and nothing changes.
  public var sources: [StoredSource]
  public var detector: DetectorSnapshot
  /// Findings delivered since the last commit (already-stored ones are ignored).
  public var newlyDelivered: Set<DeliveredFinding>
  /// New values of cumulative counters, by name.
  public var totals: [String: Int64]
  /// The whole spool of each sink named, in sending order.
  public var spool: [String: [SpooledMessage]]

  public init(
    sources: [StoredSource], detector: DetectorSnapshot,
    newlyDelivered: Set<DeliveredFinding> = [], totals: [String: Int64] = [:],
    spool: [String: [SpooledMessage]] = [:]
  ) {
    self.sources = sources
    self.detector = detector
    self.newlyDelivered = newlyDelivered
    self.totals = totals
    self.spool = spool
  }
}
