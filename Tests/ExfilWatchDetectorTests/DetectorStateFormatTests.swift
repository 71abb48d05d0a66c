import ExfilWatchDetector
import ExfilWatchEvent
import Foundation
import Testing

/// The layout of saved detector state (format 3: the state's object, then a line per key slot)
/// and the older one still read (format 2: one JSON object).
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
    #expect(state[4] == 3, "the state written is version 3")
  }

  /// A version 3 payload with a line missing, added, emptied or in the wrong place is damage.
  @Test func damagedKeyLinesAreErrors() throws {
    let (factory, events) = DetectorStateTests.scenario(seed: 3)
    let detector = Detector(symbols: factory.symbols)
    for event in events.prefix(events.count / 3) { detector.process(event) }
    let state = try detector.encodedState()
    let lines = state.dropFirst(14).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    #expect(lines.count > 2)
    func restore(_ lines: [[UInt8]]) throws {
      let body = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
      var bytes = Array(state.prefix(6))
      withUnsafeBytes(of: body.withUnsafeBytes(ByteChecksum.of).littleEndian) { bytes += $0 }
      _ = try Detector(configuration: detector.configuration, symbols: factory.symbols, encodedState: bytes + body)
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
}
