import ExfilWatchDetector
import ExfilWatchSinks
import Glibc

/// The run's sinks, each delivered to on its own so that one failing never holds up or loses
/// another's findings.
///
/// Local sinks (stdout, jsonl, sqlite) are written and flushed in the run's thread; one that
/// fails keeps what it could not write and is tried again with the next findings, and while it
/// holds any the run commits no progress (the next run reads those events again, and the other
/// sinks skip what they already have). Remote sinks (webhook, syslog) get their findings through
/// a `QueuedDelivery` each: sent in order on their own threads, retried, and spooled in the
/// state file at each checkpoint until acknowledged.
struct FindingDelivery {
  /// A local sink and the findings it was given but has not yet flushed.
  private struct LocalSink {
    let name: String
    var sink: any FindingSink
    var unflushed: [Finding] = []
    var failure: String?
    /// Writes or flushes that failed.
    var failedAttempts = 0
  }

  private var local: [LocalSink] = []
  /// Remote sinks by the name the state records their deliveries and spool under.
  private(set) var remote: [(name: String, queue: QueuedDelivery)] = []
  /// Findings handed to at least one sink (the most any one sink was given).
  private(set) var findingsWritten = 0
  /// Messages remote sinks refused for good.
  private(set) var refused = 0

  /// Opens every sink; remote ones start with what the state file's spool holds for them.
  ///
  /// - Throws: `SinkError` when a local sink cannot be opened (exit 5 before reading anything).
  init(sinks: [(name: String, specification: SinkSpecification)], state: RunState?, maxSpool: Int) throws {
    for (name, specification) in sinks {
      switch try specification.open(productVersion: ExfilWatch.configuration.version) {
      case .local(let sink):
        local.append(LocalSink(name: name, sink: sink))
      case .remote(let sender, let timeout):
        let queue = QueuedDelivery(
          sender: sender, spooled: state?.spooledFindings(for: name) ?? [], attemptTimeout: timeout,
          maxWaiting: maxSpool, report: Self.reportOccasionally)
        remote.append((name, queue))
        savedGeneration[name] = 0
      }
    }
  }

  /// Remote sinks' troubles on standard error: every refusal and recovery, and a retry when
  /// the number of failed attempts in a row is a power of two, so a receiver down for hours
  /// gives a handful of lines, not one per attempt.
  ///
  /// Said from the sending thread at any moment: the log erases a progress line first.
  private static let reportOccasionally: @Sendable (DeliveryEvent) -> Void = { event in
    switch event {
    case .retrying(let destination, _, _, let failures, _):
      if failures & (failures - 1) == 0 { Log.warning("\(event)", ["sink": "\(destination)"]) }
    case .recovered(let destination, _):
      Log.notice("\(event)", ["sink": "\(destination)"])
    case .rejected(let destination, _, _, _), .dropped(let destination, _, _):
      Log.error("\(event)", ["sink": "\(destination)"])
    }
  }

  /// Whether a local sink holds findings it could not write: no progress may be committed.
  var holdsUnwritten: Bool { local.contains { !$0.unflushed.isEmpty } }

  /// Gives the findings to every sink that does not have them yet.
  mutating func deliver(_ findings: [Finding], state: RunState?) {
    var written = 0
    for index in local.indices {
      // A finding a sink already has (a resumed run judging again what a killed run had
      // delivered but not committed) is not sent again.
      let fresh = findings.filter { state?.wasDelivered($0, to: local[index].name) != true }
      written = max(written, fresh.count)
      write(fresh, to: &local[index], state: state)
    }
    for (name, queue) in remote {
      let fresh = findings.filter { state?.wasDelivered($0, to: name) != true }
      for finding in fresh { queue.enqueue(finding) }
      written = max(written, fresh.count)
    }
    findingsWritten += written
  }

  /// Tries the local sinks that failed once more (the end of a run).
  mutating func retryUnwritten(state: RunState?) {
    for index in local.indices where !local[index].unflushed.isEmpty {
      write([], to: &local[index], state: state)
    }
  }

  /// Writes and flushes; on failure the sink keeps what it could not write (every local sink
  /// does) and the findings stay unflushed until a later flush succeeds.
  private func write(_ findings: [Finding], to sink: inout LocalSink, state: RunState?) {
    sink.unflushed += findings
    do {
      for finding in findings { try sink.sink.write(finding) }
      try sink.sink.flush()
      for finding in sink.unflushed { state?.markDelivered(finding, to: sink.name) }
      sink.unflushed = []
      if sink.failure != nil {
        Log.notice("\(sink.name): writing again")
        sink.failure = nil
      }
    } catch {
      sink.failedAttempts += 1
      if sink.failure == nil {
        Log.error(
          "\(error); \(sink.unflushed.count) finding(s) kept for it, the other sinks go on", ["sink": "\(sink.name)"])
      }
      sink.failure = "\(error)"
    }
  }

  /// The local sinks still failing, with their errors, for the end of the run.
  var failingLocalSinks: [String] { local.compactMap(\.failure) }

  /// Takes what the remote sinks did since the last call: acknowledged messages are recorded
  /// as delivered, and each sink whose queue changed has its waiting messages set aside for
  /// the next commit's spool (`unsavedSpool`).
  mutating func collectRemoteProgress(state: RunState?) {
    for (name, queue) in remote {
      let progress = queue.takeProgress()
      for message in progress.acknowledged {
        state?.markDelivered(findingID: message.findingID, revision: message.revision, to: name)
      }
      refused += progress.rejected.count
      remoteFailedAttempts[name, default: 0] += progress.failedAttempts
      waitingCount[name] = progress.waiting.count
      if progress.generation != savedGeneration[name] {
        unsavedSpool[name] = (progress.waiting.map(\.finding), progress.generation)
      }
    }
  }

  /// The spools that changed since the last commit, by sink name.
  var spoolToSave: [String: [Finding]] { unsavedSpool.mapValues(\.findings) }

  /// The commit with `spoolToSave` succeeded.
  mutating func spoolSaved() {
    for (name, spool) in unsavedSpool { savedGeneration[name] = spool.generation }
    unsavedSpool = [:]
  }

  /// Messages each remote sink had waiting when last asked.
  private(set) var waitingCount: [String: Int] = [:]
  private var remoteFailedAttempts: [String: Int] = [:]

  /// Failed attempts to deliver, by sink name: local writes that failed, remote sends that
  /// were retried or refused (as of the last `collectRemoteProgress`).
  var failedAttempts: [String: Int] {
    var counts = remoteFailedAttempts
    for sink in local { counts[sink.name] = sink.failedAttempts }
    return counts
  }

  /// Every sink's name, local ones first.
  var sinkNames: [String] { local.map(\.name) + remote.map(\.name) }
  private var unsavedSpool: [String: (findings: [Finding], generation: Int)] = [:]
  private var savedGeneration: [String: Int] = [:]

  /// Lets the remote sinks send what they can, side by side, each until it goes `seconds`
  /// without delivering.
  func drainRemote(allowing seconds: Double) {
    for (_, queue) in remote { queue.beginClosing(allowing: seconds) }
    for (_, queue) in remote { queue.waitUntilClosed() }
  }

  /// The longest a remote sink's attempt may take: how long the end of a run waits for a
  /// queue that makes no progress.
  var longestAttemptTimeout: Double {
    remote.map(\.queue.attemptTimeout).max() ?? 0
  }
}
