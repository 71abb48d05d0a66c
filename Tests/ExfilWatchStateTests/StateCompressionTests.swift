import ExfilWatchTestSupport
import Foundation
import GRDB
import Testing

@testable import ExfilWatchState

/// The detector's blobs are kept as zstd frames (schema 3): what `zstd` itself reads back, what
/// an older file held is compressed when it is opened, and damage is a clear error.
/// See: issue 7 (a 100,000-actor state was 700 MB written twice per commit).
@Suite("StateStore: the detector's blobs compressed")
struct StateCompressionTests {
  /// Text as repetitive as saved detector state.
  static let stateText = Array((0..<20_000).map { #"{"hop":\#($0),"records":\#($0 * 7),"reads":3}"# }.joined(separator: "\n").utf8)

  static func rawBlobs(_ path: String) throws -> [[UInt8]] {
    let queue = try DatabaseQueue(path: path)
    return try queue.read { db in
      let row = try #require(try Row.fetchOne(db, sql: "SELECT state, symbols, operations FROM detector"))
      return (0..<3).map { StateStore.bytes(row[$0]) }
    }
  }

  @Test("each blob is one zstd frame that the zstd tool decompresses to what was committed")
  func blobsAreZstdFrames() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    var update = Sample.first
    update.detector = DetectorSnapshot(state: Self.stateText, symbols: Array("alice\0bob".utf8), operations: [])
    try StateStore(path: path, writerVersion: Sample.writer).commit(update)
    let raw = try Self.rawBlobs(path)
    for (blob, original) in zip(raw, [update.detector.state, update.detector.symbols, update.detector.operations]) {
      #expect(Array(blob.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD], "the zstd magic number")
      #expect(try runToolChecked("zstd", ["-d", "-c", "-q"], input: blob) == original)
    }
    #expect(raw[0].count * 10 < Self.stateText.count, "\(raw[0].count) bytes for \(Self.stateText.count)")
    #expect(try StateStore(path: path, writerVersion: Sample.writer).load().detector == update.detector)
  }

  @Test("a schema 2 file's blobs are compressed when it is opened, and load as they were")
  func migratesSchemaTwo() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    let symbols = Array("carol\0dave".utf8)
    do {
      let queue = try DatabaseQueue(path: path)
      try StateSchema.migrator(writerVersion: "0.2.0").migrate(queue, upTo: "v2")
      try queue.write { db in
        try db.execute(
          sql: "INSERT INTO detector (id, state, symbols, operations) VALUES (1, ?, ?, x'')",
          arguments: [Data(Self.stateText), Data(symbols)])
      }
    }
    let store = try StateStore(path: path, writerVersion: Sample.writer)
    #expect(try store.scalar("SELECT schema_version FROM meta") == "3")
    #expect(try store.load().detector == DetectorSnapshot(state: Self.stateText, symbols: symbols, operations: []))
    let raw = try Self.rawBlobs(path)
    #expect(raw.allSatisfy { $0.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) })
    #expect(try runToolChecked("zstd", ["-d", "-c", "-q"], input: raw[0]) == Self.stateText)
  }

  @Test("a damaged, cut or foreign blob is an error naming the file and the blob, not a crash")
  func damagedBlobsAreErrors() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    var update = Sample.first
    update.detector = DetectorSnapshot(state: Self.stateText, symbols: Array("alice\0bob".utf8))
    try StateStore(path: path, writerVersion: Sample.writer).commit(update)
    let frame = try Self.rawBlobs(path)[0]
    var flipped = frame
    flipped[frame.count / 2] ^= 0x10
    let damages: [(String, [UInt8])] = [
      ("a byte altered", flipped), ("cut short", Array(frame.prefix(frame.count - 9))),
      ("cut to its header", Array(frame.prefix(6))), ("bytes after the frame", frame + [0]),
      ("not zstd", Self.stateText), ("empty", [0]),
    ]
    for (name, blob) in damages {
      try DatabaseQueue(path: path).write { db in
        try db.execute(sql: "UPDATE detector SET state = ? WHERE id = 1", arguments: [Data(blob)])
      }
      let error = #expect(throws: StateStoreError.self, "\(name)") {
        try StateStore(path: path, writerVersion: Sample.writer).load()
      }
      guard case .corrupt(path, let detail)? = error else {
        Issue.record("\(name): \(String(describing: error)) is not a corrupt-file error")
        continue
      }
      #expect(detail.hasPrefix("the detector's state: "), "\(name): \(detail)")
    }
  }

  @Test("a state handed over in pieces is stored as one frame, and loads as the pieces put together")
  func stateWrittenInPieces() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path("state.db")
    let pieces = stride(from: 0, to: Self.stateText.count, by: 4_099).map {
      Array(Self.stateText[$0..<min($0 + 4_099, Self.stateText.count)])
    }
    var update = Sample.first
    update.detector = try DetectorSnapshot(
      writingState: { write in for piece in pieces { try piece.withUnsafeBytes(write) } }, symbols: [1, 2])
    try StateStore(path: path, writerVersion: Sample.writer).commit(update)
    #expect(try runToolChecked("zstd", ["-d", "-c", "-q"], input: Self.rawBlobs(path)[0]) == Self.stateText)
    #expect(
      try StateStore(path: path, writerVersion: Sample.writer).load().detector
        == DetectorSnapshot(state: Self.stateText, symbols: [1, 2]))
  }
}
