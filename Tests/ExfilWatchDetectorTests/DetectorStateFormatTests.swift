import ExfilWatchDetector
import ExfilWatchEvent
import ExfilWatchTestSupport
import Foundation
import Testing

/// The layout of saved detector state (format 4: the state's object, then a line per key slot,
/// then the checksum) and the older ones still read (format 3: the checksum before the payload;
/// format 2: one JSON object).
@Suite struct DetectorStateFormatTests {
  /// A state saved by format version 2 (the same values as one JSON object) still restores,
  /// to the same detector.
  @Test func aVersion2StateStillRestores() throws {
    let (factory, events) = DetectorStateTests.scenario(seed: 2)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(events.count / 2) { detector.process(event) }
    let state = try detector.encodedState()
    let body = Array(try JSONSerialization.data(withJSONObject: try DetectorStateTests.wholeObject(state)))
    var version2 = Array("EXWD".utf8) + [2, 0]
    withUnsafeBytes(of: body.withUnsafeBytes(ByteChecksum.of).littleEndian) { version2 += $0 }
    version2 += body
    let restored = try Detector(configuration: detector.configuration, symbols: factory.symbols, encodedState: version2)
    #expect(try DetectorStateTests.canonical(try restored.encodedState()) == DetectorStateTests.canonical(state))
    #expect(state[4] == 4, "the state written is version 4")
  }

  /// A payload with a line missing, added, emptied or in the wrong place is damage.
  @Test func damagedKeyLinesAreErrors() throws {
    let (factory, events) = DetectorStateTests.scenario(seed: 3)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(events.count / 3) { detector.process(event) }
    let state = try detector.encodedState()
    let lines = DetectorStateTests.payload(of: state).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      .map(Array.init)
    #expect(lines.count > 2)
    func restore(_ lines: [[UInt8]]) throws {
      let body = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
      _ = try Detector(
        configuration: detector.configuration, symbols: factory.symbols,
        encodedState: DetectorStateTests.state(withPayload: body))
    }
    try restore(lines)
    let header = String(decoding: lines[0], as: UTF8.self)
    let damaged: [(String, [[UInt8]])] = [
      ("a key slot missing", Array(lines.dropLast())),
      ("a key slot repeated", lines + [lines[lines.count - 1]]),
      ("an empty line at the end", lines + [[]]),
      ("an empty key line", [lines[0], []] + lines.dropFirst(2)),
      ("keys inside the state's object", [Array(header.replacing(#""keys":[]"#, with: "\"keys\":[" + String(decoding: lines[1], as: UTF8.self) + "]").utf8)] + lines.dropFirst()),
      ("the state's object after a key", [lines[1], lines[0]] + lines.dropFirst(2)),
    ]
    for (name, variant) in damaged {
      #expect(throws: DetectorStateError.self, "\(name)") { try restore(variant) }
    }
    // A value its type refuses: the error names the key slot, the byte and the member.
    let slot = try #require(lines.indices.dropFirst().first { String(decoding: lines[$0], as: UTF8.self).contains(#""slots":"#) })
    let ring = String(decoding: lines[slot], as: UTF8.self)
    let tooMany = ring.replacing(#/"slots":\d+/#, with: #""slots":70000"#, maxReplacements: 1)
    var changed = lines
    changed[slot] = Array(tooMany.utf8)
    let error = #expect(throws: DetectorStateError.self) { try restore(changed) }
    // (The first ring's object: its opening brace.)
    let brace = ring.utf8.distance(from: ring.startIndex, to: try #require(ring.firstRange(of: #""ring":{"#)).upperBound) - 1
    #expect(
      error?.description
        == "the saved detector state is damaged: key slot \(slot - 1): 70000 slots (in the value at byte \(brace), member slots)")
  }

  /// The state is written a piece at a time, which put together are `encodedState`; a state of
  /// format 3 (the same payload, its checksum before it) still restores, to the same detector.
  @Test func piecesMakeTheStateAndFormat3StillRestores() throws {
    let (factory, events) = DetectorStateTests.scenario(seed: 4)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(events.count / 2) { detector.process(event) }
    var pieces: [[UInt8]] = []
    try detector.writeState { pieces.append(Array($0)) }
    let state = try detector.encodedState()
    #expect(pieces.count > 2, "written in pieces")
    #expect(Array(pieces.joined()) == state)
    let payload = Array(DetectorStateTests.payload(of: state))
    var version3 = Array("EXWD".utf8) + [3, 0]
    withUnsafeBytes(of: payload.withUnsafeBytes(ByteChecksum.of).littleEndian) { version3 += $0 }
    version3 += payload
    let restored = try Detector(configuration: detector.configuration, symbols: factory.symbols, encodedState: version3)
    #expect(try restored.encodedState() == state)
  }

  /// The running checksum is the same however its bytes are cut into pieces, and tells apart
  /// bytes that differ in one bit or in their length.
  @Test func runningChecksumIgnoresPieces() {
    var random = SeededGenerator(seed: 11)
    let bytes = (0..<1_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    func checksum(_ cuts: [Int]) -> UInt64 {
      var running = ByteChecksum.Running()
      var start = 0
      for end in cuts.sorted() + [bytes.count] {
        bytes[start..<end].withUnsafeBytes { running.add($0) }
        start = end
      }
      return running.value
    }
    let whole = checksum([])
    for _ in 0..<50 {
      let cuts = (0..<Int(random.next() % 12)).map { _ in Int(random.next() % UInt64(bytes.count)) }
      #expect(checksum(cuts) == whole, "cut at \(cuts.sorted())")
    }
    var flipped = bytes
    flipped[517] ^= 0x04
    var other = ByteChecksum.Running()
    flipped.withUnsafeBytes { other.add($0) }
    #expect(other.value != whole)
    var shorter = ByteChecksum.Running()
    bytes.dropLast().withUnsafeBytes { shorter.add($0) }
    #expect(shorter.value != whole)
  }
}
