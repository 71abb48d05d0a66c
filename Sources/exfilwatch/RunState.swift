import ExfilWatchDecoder
import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchParser
import ExfilWatchPipeline
import ExfilWatchSource
import ExfilWatchState
import Foundation

/// The state file of `scan` (and `replay --state`): what a run restores before reading, and
/// what it commits as it goes, so the next run reads only what is new, with the baselines and
/// open incidents carried forward and no finding delivered twice.
///
/// A commit holds, in one transaction, every input's position after the events handled so far,
/// the detector's state after exactly those events (with its symbol table and the logical-read
/// tracker), the findings delivered to each sink, the messages remote sinks have not yet
/// acknowledged (their spool), and the running totals. Findings reach the
/// sinks (flushed) before the commit that records them, so a run killed in between delivers them
/// again on the next run under the same id and version (at least once); nothing is lost.
final class RunState {
  let path: String
  let symbols: SymbolTable
  let detector: Detector
  let operations: ReadOperationTracker
  /// Counters since the state began, as of the last commit plus this run.
  private(set) var totals: [String: Int64]
  private let store: StateStore
  private let lock: StateLock
  private var sources: [String: StoredSource]
  private var delivered: Set<DeliveredFinding>
  private let spool: [String: [SpooledMessage]]
  private var newlyDelivered: Set<DeliveredFinding> = []
  /// Stored sources already given to a file of this run.
  private var claimed: Set<String> = []

  /// Takes the lock, opens (or creates) the state file and restores what it holds.
  init(path: String, reset: Bool, configuration: DetectorConfiguration) throws(RunStateError) {
    self.path = path
    do {
      lock = try StateLock(statePath: path)
    } catch {
      throw .locked(error)
    }
    var stored: StoredState
    do {
      store = try StateStore(path: path, writerVersion: ExfilWatch.configuration.version, reset: reset)
      stored = try store.load()
    } catch {
      throw .unusable(error.description)
    }
    do {
      if var snapshot = stored.detector {
        // The state's bytes handed over with no copy kept, so the detector frees them once read.
        stored.detector = nil
        let state = snapshot.state
        snapshot.state = []
        symbols = try SymbolTable(encodedStrings: snapshot.symbols)
        detector = try Detector(configuration: configuration, symbols: symbols, encodedState: consume state)
        guard let tracker = ReadOperationTracker(encoded: snapshot.operations) else {
          throw RunStateError.unusable("the logical-read tracker's bytes are damaged")
        }
        operations = tracker
      } else {
        symbols = SymbolTable()
        detector = Detector(configuration: configuration, symbols: symbols)
        operations = ReadOperationTracker()
      }
    } catch {
      throw .unusable("state file \(path): \(error); rerun with --reset-state to start over")
    }
    sources = Dictionary(stored.sources.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    delivered = stored.delivered
    spool = stored.spool
    totals = stored.totals
  }

  /// Where to start reading a source: where the last run stopped for a file read before
  /// (found by device and inode, or by content after a rotation recompressed it), else at the
  /// start (a new file, or one replaced or truncated since). Each stored source is given to
  /// one file only.
  func startPosition(for identity: SourceIdentity) -> InputPosition {
    guard let (stored, sameFile) = match(identity.file, identity.fingerprint, excluding: claimed),
      let saved = try? JSONDecoder().decode(SavedPosition.self, from: Data(stored.position))
    else { return .start }
    claimed.insert(stored.path)
    if sameFile {
      // Shorter than where the last run stopped: truncated and written again.
      if let restart = saved.position.restart, restart.decoding.unitOffset > identity.file.size { return .start }
      return saved.position
    }
    // The same content in another file (recompressed): decoded offsets still hold.
    return saved.position.readAgain(codec: identity.fingerprint.codec)
  }

  private func match(
    _ file: FileIdentity, _ fingerprint: ContentFingerprint, excluding claimed: Set<String>
  ) -> (StoredSource, sameFile: Bool)? {
    let candidates = sources.values.filter { !claimed.contains($0.path) }
    if let same = candidates.first(where: { $0.device == file.device && $0.inode == file.inode }),
      fingerprint.hash(ofFirst: same.fingerprintLength) == same.fingerprint
    {
      return (same, true)
    }
    let full = ContentFingerprint.fullLength
    if let copy = candidates.first(where: {
      $0.fingerprintLength == full && fingerprint.hash(ofFirst: full) == $0.fingerprint
    }) {
      return (copy, false)
    }
    return nil
  }

  func wasDelivered(_ finding: Finding, to sink: String) -> Bool {
    let key = DeliveredFinding(sink: sink, findingID: finding.id, version: finding.revision)
    return delivered.contains(key)
  }

  func markDelivered(_ finding: Finding, to sink: String) {
    markDelivered(findingID: finding.id, revision: finding.revision, to: sink)
  }

  func markDelivered(findingID: String, revision: Int, to sink: String) {
    let key = DeliveredFinding(sink: sink, findingID: findingID, version: revision)
    if delivered.insert(key).inserted { newlyDelivered.insert(key) }
  }

  /// What the last run could not deliver to a remote sink, to be sent first, in order. A
  /// spooled finding that cannot be decoded (written by another version) is reported and left
  /// out.
  func spooledFindings(for sink: String) -> [Finding] {
    (spool[sink] ?? []).compactMap { message in
      guard let finding = try? JSONDecoder().decode(Finding.self, from: Data(message.finding)) else {
        Log.error(
          "state \(path): spooled finding \(message.findingID) revision \(message.version) "
            + "for sink '\(sink)' cannot be read; it is dropped")
        return nil
      }
      return finding
    }
  }

  /// Sinks with spooled messages that this run does not deliver to (they keep them).
  func spooledSinks(notIn names: Set<String>) -> [(sink: String, messages: Int)] {
    spool.filter { !names.contains($0.key) && !$0.value.isEmpty }.map { ($0.key, $0.value.count) }
      .sorted { $0.sink < $1.sink }
  }

  /// Commits the inputs' positions and the detector as they stand after the events handled so
  /// far, and the remote sinks' spools. The caller has flushed the local sinks.
  func commit(
    _ positions: [(identity: SourceIdentity, position: InputPosition)], totals runTotals: [String: Int64],
    spool: [String: [Finding]]
  ) throws(RunStateError) {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    // A file read under a new name (rotated) is kept under that name only.
    let committed = Set(positions.map(\.identity.file.location))
    sources = sources.filter {
      !committed.contains(FileIdentity.Location(device: $0.value.device, inode: $0.value.inode))
    }
    let encoder = JSONEncoder()
    for (identity, position) in positions {
      let saved = SavedPosition(position: position)
      sources[identity.path] = StoredSource(
        path: identity.path, device: identity.file.device, inode: identity.file.inode,
        fingerprintLength: identity.fingerprint.prefix.count, fingerprint: identity.fingerprint.hash,
        position: Array((try? encoder.encode(saved)) ?? Data()), updatedAtMilliseconds: now)
    }
    var combined = totals
    combined.merge(runTotals, uniquingKeysWith: +)
    do {
      let update = StateUpdate(
        sources: Array(sources.values),
        detector: try DetectorSnapshot(
          writingState: detector.writeState, symbols: symbols.encodedStrings(), operations: operations.encoded),
        newlyDelivered: newlyDelivered, totals: combined,
        spool: try spool.mapValues { findings in
          try findings.map {
            SpooledMessage(findingID: $0.id, version: $0.revision, finding: Array(try encoder.encode($0)))
          }
        })
      try store.commit(update)
    } catch let error as StateStoreError {
      throw .unusable(error.description)
    } catch {
      throw .unusable("state file \(path): cannot save the detector: \(error)")
    }
    newlyDelivered = []
  }
}

/// A source's position as stored (JSON, so a later version can read it or tell it apart).
private struct SavedPosition: Codable {
  var position: InputPosition
}

extension InputPosition {
  /// This position for the same content stored another way: decoded from the start and the
  /// bytes before the restart point dropped.
  fileprivate func readAgain(codec: Codec?) -> InputPosition {
    guard let restart, let codec else { return self }
    var moved = self
    moved.restart?.decoding = ResumePoint(
      codec: codec, unitOffset: 0, unitDecodedOffset: 0, decodedOffset: restart.decoding.decodedOffset)
    return moved
  }
}

/// Why the state file cannot be used.
enum RunStateError: Error, CustomStringConvertible {
  /// Another run holds it (exit 4).
  case locked(StateLockError)
  case unusable(String)

  var description: String {
    switch self {
    case .locked(let error): error.description
    case .unusable(let message): message
    }
  }
}
