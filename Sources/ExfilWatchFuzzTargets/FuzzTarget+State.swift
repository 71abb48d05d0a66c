import ExfilWatchDetector
import ExfilWatchEvent

extension FuzzTarget {
  /// Symbols enough for any seed's state to name (its strings do not matter to restoring).
  static let stateSymbolCount = 4096

  /// Restoring saved detector state (`exfilwatch scan`'s, as `Detector.encodedState` writes it)
  /// from the input as its payload: the JSON lines between the header and the checksum, which
  /// the target adds, the checksum right, so that damage the checksum would catch is not all
  /// the fuzzer finds.
  ///
  /// A state that is refused must be refused with an error. A state that restores must be one
  /// the detector can go on from: it takes events of its keys and of new ones, and judges them,
  /// and saved again it restores to the same bytes.
  @discardableResult
  public static func state(_ bytes: UnsafeRawBufferPointer) -> Int {
    var checksum = ByteChecksum.Running()
    checksum.add(bytes)
    var encoded = Array("EXWD".utf8) + [4, 0] + bytes
    withUnsafeBytes(of: checksum.value.littleEndian) { encoded += $0 }
    let symbols = SymbolTable()
    for number in 0..<stateSymbolCount { _ = symbols.intern("symbol-\(number)") }
    guard let detector = try? Detector(configuration: DetectorConfiguration(), symbols: symbols, encodedState: encoded)
    else { return 0 }
    let saved: [UInt8]
    do {
      saved = try detector.encodedState()
      let again = try Detector(configuration: detector.configuration, symbols: symbols, encodedState: saved)
      expect(try again.encodedState() == saved, "a restored state saved again restores to other bytes")
    } catch {
      expect(false, "a restored state could not be saved and restored again: \(error)")
      return 0
    }
    // Events at and after the state's newest time, from a few of the table's symbols.
    let newest = detector.watermark.map { $0 + detector.configuration.allowedLateness } ?? 1_750_000_000_000
    for step in 0..<64 {
      let symbol = Symbol(rawValue: UInt32(1 + step % 7))
      detector.process(AccessEvent(
        time: newest + Int64(step) * 20_000, actor: symbol, client: symbol, sourceIP: symbol, action: .query,
        records: Int64(step * 1_000), format: .salesforceRTEM,
        origin: EventOrigin(input: symbol, line: step, offset: 0)))
    }
    detector.finish()
    return saved.count + detector.takeFindings().count
  }
}
