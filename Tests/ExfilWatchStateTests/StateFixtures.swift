import ExfilWatchTestSupport
import Foundation
import Glibc
import Synchronization

@testable import ExfilWatchState

/// Updates and expectations shared by the state tests.
enum Sample {
  static let writer = "0.9.0-test"

  /// Two sources (one at the extremes of the 64-bit fields, one with an empty position), a
  /// detector large enough to span many pages, two deliveries, two totals.
  static let first = StateUpdate(
    sources: [
      StoredSource(
        path: "/var/log/sf/rtem-2.jsonl.zst", device: .max, inode: 1 << 63,
        fingerprintLength: 4096, fingerprint: 0xDEAD_BEEF_0BAD_F00D, position: [1, 2, 3, 0, 255],
        updatedAtMilliseconds: 1_764_000_000_123),
      StoredSource(
        path: "/var/log/sf/rtem-1.jsonl", device: 64769, inode: 131_073, fingerprintLength: 17,
        fingerprint: 42, position: [], updatedAtMilliseconds: -1),
    ],
    detector: DetectorSnapshot(
      state: pattern(count: 300_000, seed: 7), symbols: Array("alice\0bob".utf8),
      operations: pattern(count: 64, seed: 5)),
    newlyDelivered: [
      DeliveredFinding(sink: "siem", findingID: "f-1", version: 1),
      DeliveredFinding(sink: "slack", findingID: "f-1", version: 1),
    ],
    totals: ["events_read": 1_000_000, "findings_emitted": 1])

  /// One source left, new blobs (one empty), a new version of f-1, a repeat, one total changed
  /// and one added.
  static let second = StateUpdate(
    sources: [
      StoredSource(
        path: "/var/log/sf/rtem-3.jsonl", device: 1, inode: 2, fingerprintLength: 4096,
        fingerprint: .max, position: [9], updatedAtMilliseconds: 1_764_000_600_000)
    ],
    detector: DetectorSnapshot(state: pattern(count: 1000, seed: 3), symbols: []),
    newlyDelivered: [
      DeliveredFinding(sink: "siem", findingID: "f-1", version: 2),
      DeliveredFinding(sink: "siem", findingID: "f-1", version: 1),
    ],
    totals: ["events_read": 2_500_000, "late_events": 3])

  /// What `load()` must return after committing `first`.
  static let afterFirst = StoredState(
    sources: first.sources.sorted { $0.path < $1.path }, detector: first.detector,
    delivered: first.newlyDelivered, totals: first.totals)

  /// What `load()` must return after committing `first` then `second`.
  static let afterSecond = StoredState(
    sources: second.sources, detector: second.detector,
    delivered: first.newlyDelivered.union(second.newlyDelivered),
    totals: ["events_read": 2_500_000, "findings_emitted": 1, "late_events": 3])

  /// What `load()` must return after committing only `second`.
  static let onlySecond = StoredState(
    sources: second.sources, detector: second.detector, delivered: second.newlyDelivered,
    totals: second.totals)

  /// Deterministic bytes that do not compress to nothing.
  static func pattern(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return UInt8(truncatingIfNeeded: state)
    }
  }
}

/// The permission bits of `path`, or nil if it does not exist.
func permissions(_ path: String) -> mode_t? {
  var status = stat()
  guard stat(path, &status) == 0 else { return nil }
  return status.st_mode & 0o777
}

func fileSize(_ path: String) -> Int? {
  var status = stat()
  guard stat(path, &status) == 0 else { return nil }
  return Int(status.st_size)
}

private let umaskLock = Mutex(())

/// Runs `body` with the process's umask set to `mask`, then restores it. The umask belongs to
/// the whole process, so callers in this target are serialized and the window is kept short.
func withUmask<T>(_ mask: mode_t, _ body: () throws -> T) rethrows -> T {
  try umaskLock.withLock { _ in
    let saved = umask(mask)
    defer { umask(saved) }
    return try body()
  }
}
