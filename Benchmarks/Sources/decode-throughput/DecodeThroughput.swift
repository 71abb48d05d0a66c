import ExfilWatchDecoder
import ExfilWatchSource

/// Decodes each file given and discards the bytes: the Decoder stage alone, to compare with
/// `zstd -dc FILE > /dev/null`. Prints the decoded byte count per file.
@main
struct DecodeThroughput {
  static func main() throws {
    for path in CommandLine.arguments.dropFirst() {
      let decoder = StreamDecoder(source: try FileByteSource(path: path))
      var checksum: UInt8 = 0
      while let chunk = try decoder.nextChunk() {
        // Touch the data once so no stage can be optimised away.
        checksum ^= chunk[chunk.count - 1]
      }
      print("\(decoder.decodedOffset) bytes \(path) (last-byte xor \(checksum))")
    }
  }
}
