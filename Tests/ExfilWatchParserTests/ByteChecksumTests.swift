import ExfilWatchEvent
import Testing

/// The checksum is saved with state and keys operations that are saved too: reading its last
/// word with a few loads must give exactly what the byte loop it replaced gave.
@Suite("ByteChecksum")
struct ByteChecksumTests {
  @Test("every length and offset gives what a byte-by-byte reading gives")
  func sameAsByteLoop() {
    let bytes = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 13) }
    bytes.withUnsafeBytes { all in
      for start in 0..<9 {
        for count in 0...(all.count - start) {
          let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + count])
          #expect(ByteChecksum.of(slice) == reference(slice), "start \(start), count \(count)")
        }
      }
    }
  }

  /// The checksum as it was written first: the last bytes read one at a time.
  private func reference(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
    var index = 0
    while index + 8 <= bytes.count {
      hash = ByteChecksum.mix(hash, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian)
      index += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while index < bytes.count {
      tail |= UInt64(bytes[index]) << shift
      shift += 8
      index += 1
    }
    return ByteChecksum.mix(ByteChecksum.mix(hash, tail), UInt64(bytes.count))
  }
}
