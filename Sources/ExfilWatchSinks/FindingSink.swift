import ExfilWatchDetector

/// A local destination of findings (standard output, a file of OCSF JSON lines, an SQLite
/// table), written in the run's own thread; remote ones are `MessageSender`s.
///
/// Findings arrive in batches (a batch ends where the run commits its progress); `flush()`
/// ends one, and only after it returns are the batch's findings durable, so the run may then
/// record them as delivered.
public protocol FindingSink {
  /// Takes one finding of the current batch.
  mutating func write(_ finding: Finding) throws
  /// Ends the batch: everything written so far is delivered (flushed and, for files, fsynced).
  mutating func flush() throws
}
