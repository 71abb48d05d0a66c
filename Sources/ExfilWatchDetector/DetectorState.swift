// Saving and restoring a detector, for `exfilwatch scan` from cron (issue 5): each run restores
// what the last one saved and continues as if it had never stopped. Nothing here runs per event.
import ExfilWatchEvent

// MARK: - API

extension Detector {
  /// Everything the detector knows, as bytes for `init(configuration:symbols:encodedState:)`:
  /// what `writeState` writes, in one array.
  public func encodedState() throws -> [UInt8] {
    var bytes: [UInt8] = []
    try writeState { bytes.append(contentsOf: $0) }
    return bytes
  }

  /// Writes what `encodedState` holds, handing `write` a piece at a time (a key slot's line),
  /// so that the state need never be held whole: 700 MB at 100,000 busy keys, which had been
  /// most of a `scan`'s peak memory beside the detector itself.
  ///
  /// Save the symbol table beside it (`SymbolTable.encodedStrings()`): the state names keys by
  /// symbol number. Save between events and before `finish()`, never after: `finish()` judges
  /// the last windows before their late events can arrive, which a run that goes on must not.
  /// Findings not yet taken are saved too, and the restored detector hands them out.
  ///
  /// The bytes are `EXWD` and the format version (UInt16, little-endian); the payload: the
  /// state but its keys as one JSON object, then each key slot as JSON on a line of its own;
  /// and a checksum of the payload (`ByteChecksum.Running`, UInt64, little-endian). Format 3,
  /// still read, had the checksum before the payload, so the payload had to be whole before
  /// any of it was written. At 100,000 keys Foundation's JSON coders took about half the time
  /// of its binary property-list coders (for 1.7 times the bytes); one JSON value for the
  /// whole state (format 2, still read) made the coders hold a tree of every value at once,
  /// some 7 GB at 100,000 busy keys. The text is written and read by this module's own coders
  /// (`StateJSONEncoder`, `StateJSONDecoder`), several times faster than Foundation's.
  /// The configuration is in the payload, so a run under another configuration is refused
  /// rather than judged against baselines that were learnt for other windows.
  public func writeState(to write: (UnsafeRawBufferPointer) throws -> Void) throws {
    var header = DetectorStateFormat.magic
    header.appendLittleEndian(DetectorStateFormat.version)
    try header.withUnsafeBytes(write)
    var checksum = ByteChecksum.Running()
    var line: [UInt8] = []
    try StateJSONEncoder.encode(DetectorSnapshot(self), appendingTo: &line)
    for index in keys.indices {
      try line.withUnsafeBytes { piece in
        checksum.add(piece)
        try write(piece)
      }
      line.removeAll(keepingCapacity: true)
      line.append(DetectorStateFormat.keySeparator)
      try StateJSONEncoder.encode(savedKey(at: index), appendingTo: &line)
    }
    line.appendLittleEndian(UInt64(0))  // room for the checksum, after the last piece
    try line.withUnsafeMutableBytes { piece in
      let payload = UnsafeRawBufferPointer(rebasing: piece.dropLast(8))
      checksum.add(payload)
      piece.storeBytes(of: checksum.value.littleEndian, toByteOffset: payload.count, as: UInt64.self)
      try write(UnsafeRawBufferPointer(piece))
    }
  }

  /// A detector that continues exactly where the one that wrote `encodedState` stopped.
  ///
  /// - Parameters:
  ///   - configuration: Must equal the configuration the state was saved under.
  ///   - symbols: The symbol table saved with the state, restored with every symbol under its
  ///     old number (it may have gained symbols since).
  ///   - bytes: Let go of once decoded, before the detector is laid out: a caller that keeps
  ///     no copy of them frees their memory then (700 MB at 100,000 keys).
  /// - Throws: `DetectorStateError` for bytes that are not a detector state, of another format
  ///   version, damaged, saved under another configuration or with a smaller symbol table.
  public convenience init(
    configuration: DetectorConfiguration, symbols: SymbolTable, encodedState bytes: consuming [UInt8]
  ) throws(DetectorStateError) {
    let snapshot = try DetectorSnapshot(decoding: bytes)  // (which takes the bytes, and drops them)
    // How far event time may jump only decides which events are judged, not what the
    // baselines mean: it may be changed between runs.
    var saved = snapshot.configuration
    saved.maxTimeJump = configuration.maxTimeJump
    saved.jumpConfirmations = configuration.jumpConfirmations
    guard saved == configuration else {
      throw .configurationMismatch(differences: snapshot.configuration.differences(from: configuration))
    }
    guard snapshot.symbolCount <= symbols.count else {
      throw .symbolTableMismatch(savedSymbols: snapshot.symbolCount, tableSymbols: symbols.count)
    }
    let free = try snapshot.validated()
    self.init(configuration: configuration, symbols: symbols)
    restoreKeys(snapshot.keys, free: free)
    allowlistEntries = Array(repeating: Self.unmatched, count: keys.count)
    freeSlots = snapshot.freeSlots
    // Rebuilt rather than saved: it is the keys' inverse, and a saved copy could disagree.
    keyIndex.reserveCapacity(keys.count - free.count)
    for index in keys.indices where !free.contains(Int32(index)) {
      keyIndex[keys[index].key] = Int32(index)
    }
    active = snapshot.active
    nextHop = snapshot.nextHop
    peers = snapshot.peers.map { $0.map { ($0.records, $0.reads) } }
    peersRefreshed = snapshot.peersRefreshed
    incidents.open = snapshot.incidents
    pendingFindings = snapshot.pendingFindings
    timeGuard = snapshot.timeGuard
    statistics = snapshot.statistics
    // Numbers are reused after sweeps: a symbol the state names must be one the table holds,
    // or it would come to name the next new value.
    var marks = SymbolMarks(symbolCount: symbols.count)
    markSymbols(into: &marks)
    guard symbols.holdsAll(marks) else {
      throw .corrupt("it names symbols the saved symbol table does not hold (not the table saved with it)")
    }
  }
}

/// Why saved detector state could not be restored. The cure for every case is the same (start
/// from no state), but the message says which it is.
public enum DetectorStateError: Error, Equatable, CustomStringConvertible {
  /// The bytes do not start like saved detector state (another blob, or nothing).
  case notDetectorState
  /// Written by another version of ExfilWatch's format.
  case unsupportedVersion(found: UInt16, supported: UInt16)
  /// The state was learnt under another detector configuration: what differs.
  case configurationMismatch(differences: [String])
  /// The state refers to more symbols than the symbol table given holds: not the table saved
  /// with it.
  case symbolTableMismatch(savedSymbols: Int, tableSymbols: Int)
  /// The bytes were altered or cut short, or do not hold a consistent state: what was wrong.
  case corrupt(String)

  public var description: String {
    switch self {
    case .notDetectorState: "the bytes are not saved detector state"
    case .unsupportedVersion(let found, let supported):
      "the saved detector state has format version \(found); this version of exfilwatch reads versions 2 to \(supported)"
    case .configurationMismatch(let differences):
      "the saved detector state was learnt under another detector configuration (differs in: "
        + differences.joined(separator: "; ") + "); its baselines and windows do not apply to this one"
    case .symbolTableMismatch(let saved, let table):
      "the saved detector state refers to \(saved) symbols but the symbol table given holds \(table): not the table saved with it"
    case .corrupt(let reason): "the saved detector state is damaged: \(reason)"
    }
  }
}

// MARK: - Format

enum DetectorStateFormat {
  static let magic: [UInt8] = Array("EXWD".utf8)
  /// Raised whenever the payload's shape changes (a field of any saved type added, removed or
  /// renamed): an older state is then refused with a clear error instead of half-decoded.
  static let version: UInt16 = 4
  /// The version before, still read: the same payload with its checksum (`ByteChecksum.of`)
  /// before it, in the header.
  static let checksumFirstVersion: UInt16 = 3
  /// The version before that, the same values as one JSON object, which is still read.
  static let wholeJSONVersion: UInt16 = 2
  /// Ends the state's object and each key's: JSON text has no raw line feed (in a string it
  /// is escaped).
  static let keySeparator = UInt8(ascii: "\n")
  /// Magic, version and checksum: format 3's header, and the least a format 4 state can be
  /// (magic, version and the checksum after a payload that is never empty).
  static let headerSize = 4 + 2 + 8

  /// Infinities and NaN are written as text: a configuration may hold them, and JSON cannot.
  static let floats = (positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
}

/// The detector's state as one value (written without its keys, which `encodedState` puts
/// after it one per line). Not saved: the key index (rebuilt from the keys) and the judging
/// step's scratch buffers.
struct DetectorSnapshot: Codable {
  /// A dimension's peers for one horizon (a tuple in the detector, which Codable cannot take).
  struct Peers: Codable {
    var records: PeerLevel
    var reads: PeerLevel
  }

  var configuration: DetectorConfiguration
  /// The symbols the table held when the state was saved: the state refers to no later one.
  var symbolCount: Int
  var statistics: DetectorStatistics
  /// Evicted keys' slots included (they are in `freeSlots`), so slot numbers stay as they were.
  var keys: [SavedKey]
  var freeSlots: [Int32]
  var active: [[Int32]]
  var nextHop: [Int64]
  var peers: [[Peers]]
  var peersRefreshed: [Int64]
  var incidents: [IncidentTracker.Incident]
  var pendingFindings: [Finding]
  var timeGuard: EventTimeGuard

  /// The detector's state but its key slots, which `encodedState` writes after it.
  init(_ detector: Detector) {
    configuration = detector.configuration
    symbolCount = detector.symbols.count
    statistics = detector.statistics
    keys = []
    freeSlots = detector.freeSlots
    // Parked keys are saved on the active list, where a restored detector finds them. Sorted:
    // the list's order follows the keys' history of parking and leaving, which a restored run
    // does not share, and nothing judged depends on it; so a run restored anywhere saves the
    // same state as one that never stopped.
    active = detector.active.indices.map { h in
      let parked = detector.horizonStates[h].indices.filter { detector.horizonStates[h][$0].isParked }
      return (detector.active[h] + parked.map(Int32.init)).sorted()
    }
    nextHop = detector.nextHop
    peers = detector.peers.map { $0.map { Peers(records: $0.records, reads: $0.reads) } }
    peersRefreshed = detector.peersRefreshed
    incidents = detector.incidents.open
    pendingFindings = detector.pendingFindings
    timeGuard = detector.timeGuard
  }

  /// Checks the header and checksum of `bytes`, then decodes the payload.
  init(decoding bytes: [UInt8]) throws(DetectorStateError) {
    let magic = DetectorStateFormat.magic
    guard bytes.count >= DetectorStateFormat.headerSize, bytes.starts(with: magic) else {
      throw .notDetectorState
    }
    // (The checksum is format 3's, in its header.)
    let (version, checksum) = bytes.withUnsafeBytes { raw in
      (
        UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: magic.count, as: UInt16.self)),
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: magic.count + 2, as: UInt64.self))
      )
    }
    let payload: ArraySlice<UInt8>
    switch version {
    case DetectorStateFormat.version:
      payload = bytes[(magic.count + 2)..<(bytes.count - 8)]
      var running = ByteChecksum.Running()
      payload.withUnsafeBytes { running.add($0) }
      let trailer = bytes.withUnsafeBytes {
        UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
      }
      guard running.value == trailer else { throw .corrupt("checksum mismatch (the bytes were altered or cut short)") }
    case DetectorStateFormat.checksumFirstVersion, DetectorStateFormat.wholeJSONVersion:
      payload = bytes[DetectorStateFormat.headerSize...]
      guard payload.withUnsafeBytes(ByteChecksum.of) == checksum else {
        throw .corrupt("checksum mismatch (the bytes were altered or cut short)")
      }
    default:
      throw .unsupportedVersion(found: version, supported: DetectorStateFormat.version)
    }
    do {
      guard version != DetectorStateFormat.wholeJSONVersion else {
        self = try payload.withUnsafeBytes { try StateJSONDecoder.decode(DetectorSnapshot.self, from: $0) }
        return
      }
      self = try payload.withUnsafeBytes { payload in
        var lines = payload.split(separator: DetectorStateFormat.keySeparator, omittingEmptySubsequences: false)[...]
        var snapshot = try StateJSONDecoder.decode(
          DetectorSnapshot.self, from: UnsafeRawBufferPointer(rebasing: lines.removeFirst()))
        guard snapshot.keys.isEmpty else { throw DetectorStateError.corrupt("key slots inside the state's object") }
        snapshot.keys.reserveCapacity(lines.count)
        for (slot, line) in lines.enumerated() {
          do {
            let text = UnsafeRawBufferPointer(rebasing: line)
            snapshot.keys.append(try StateJSONDecoder.decode(SavedKey.self, from: text))
          } catch {
            throw DetectorStateError.corrupt("key slot \(slot): \(Self.reason(error))")
          }
        }
        return snapshot
      }
    } catch let error as DetectorStateError {
      throw error
    } catch {
      throw .corrupt(Self.reason(error))
    }
  }

  /// What a decoding error says, without the type's own wrapping, and where: the byte its
  /// value starts at (in its line) and the member it was in, as `StateJSONDecoder` gives them.
  private static func reason(_ error: any Error) -> String {
    switch error as? DecodingError {
    case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .keyNotFound(_, let context)?,
      .dataCorrupted(let context)?:
      guard let position = context.codingPath.first as? StateTextPosition else { return context.debugDescription }
      let member = context.codingPath.dropFirst().map(\.stringValue).joined(separator: ".")
      return context.debugDescription + " (in the value at byte \(position.offset)"
        + (member.isEmpty ? ")" : ", member \(member))")
    default: return "\(error)"
    }
  }

  /// The free slots, after checking that the state has the configuration's shape and that
  /// its lists point at keys that exist: the detector indexes by them without checking.
  func validated() throws(DetectorStateError) -> Set<Int32> {
    let horizons = configuration.horizons.count
    let dimensions = configuration.dimensions.count
    guard nextHop.count == horizons, peersRefreshed.count == horizons, active.count == horizons,
      peers.count == dimensions, peers.allSatisfy({ $0.count == horizons })
    else { throw .corrupt("per-horizon or per-dimension lists of the wrong length") }
    let times = [statistics.firstEventTime, statistics.newestEventTime, statistics.warmUpEnd]
    guard times.allSatisfy({ $0 == nil }) || times.allSatisfy({ $0 != nil }) else {
      throw .corrupt("event times partly missing")
    }
    guard timeGuard.held.count < configuration.jumpConfirmations, timeGuard.started || statistics.newestEventTime == nil
    else { throw .corrupt("more events held for their time than are waited for, or held before a start") }
    let free = Set(freeSlots)
    guard free.count == freeSlots.count, free.allSatisfy({ keys.indices.contains(Int($0)) }) else {
      throw .corrupt("free slots repeated or out of range")
    }
    var seen = Set<DetectorKey>(minimumCapacity: keys.count - free.count)
    var listed = Array(repeating: 0, count: horizons)
    for (index, state) in keys.enumerated() where !free.contains(Int32(index)) {
      guard state.horizons.count == horizons, Int(state.key.dimension) < dimensions, seen.insert(state.key).inserted
      else { throw .corrupt("key \(index) does not fit the configuration or repeats another") }
      for h in 0..<horizons where state.horizons[h].state.listed {
        guard state.horizons[h].ring != nil else { throw .corrupt("key \(index) is listed with no buckets") }
        listed[h] += 1
      }
    }
    guard statistics.trackedKeys == seen.count else { throw .corrupt("tracked key count disagrees with the keys") }
    for h in 0..<horizons {
      let members = Set(active[h])
      guard members.count == active[h].count, members.count == listed[h],
        members.allSatisfy({ keys.indices.contains(Int($0)) && !free.contains($0) && keys[Int($0)].horizons[h].state.listed })
      else { throw .corrupt("the active keys of horizon \(configuration.horizons[h].name) disagree with the keys") }
    }
    return free
  }
}

extension [UInt8] {
  fileprivate mutating func appendLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}
