import ExfilWatchFramer
import PropertyBased
import Testing

/// For any text and any way of cutting it into chunks, the framer's lines are the lines of the
/// whole text split at once.
@Suite("LineFramer properties")
struct LineFramerPropertyTests {
  /// Bytes drawn mostly from the characters that matter to framing.
  static let alphabet: [UInt8] = [0x0A, 0x0A, 0x0D, 0x0D, 0x61, 0x62, 0x7B, 0x22, 0x00, 0xFF]
  static let byte = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }

  @Test("small texts, small chunks, small line limit (shrinks to a minimal failing case)")
  func smallTexts() async {
    await propertyCheck(
      count: 500,
      input: Self.byte.array(of: 0...300), Gen.int(in: 1...17).array(of: 1...8), Gen.int(in: 1...12)
    ) { text, chunkSizes, maxLineLength in
      let framed = try frame(text, chunkSizes: chunkSizes, maxLineLength: maxLineLength)
      #expect(framed == splitAtOnce(text, maxLineLength: maxLineLength))
    }
  }

  @Test("megabyte texts cut into chunks from 1 byte to megabytes")
  func largeTexts() async {
    await propertyCheck(
      count: 30,
      input: Gen.uint64(), Gen.int(in: 0...3_000_000), Gen.int(in: 0...22).array(of: 1...20)
    ) { seed, length, chunkExponents in
      let text = randomLines(seed: seed, length: length)
      // Chunk sizes spread over orders of magnitude: 2^0 ... 2^22 bytes, jittered.
      let chunkSizes = chunkExponents.map { (1 << $0) + Int(seed % 7) }
      let limit = 4_096
      let framed = try frame(text, chunkSizes: chunkSizes, maxLineLength: limit)
      #expect(framed == splitAtOnce(text, maxLineLength: limit))
    }
  }
}

/// Text of about `length` bytes made of lines of widely varying length (empty to ~10 KiB, some
/// over the limit), with LF and CRLF endings, deterministic for a seed.
private func randomLines(seed: UInt64, length: Int) -> [UInt8] {
  var state = seed | 1
  func next() -> UInt64 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return state
  }
  var text: [UInt8] = []
  text.reserveCapacity(length + 16_384)
  while text.count < length {
    let lineLength = Int(next() % 4 == 0 ? next() % 10_000 : next() % 200)
    let fill = UInt8(0x61 + next() % 26)
    text.append(contentsOf: repeatElement(fill, count: lineLength))
    if next() % 3 == 0 { text.append(0x0D) }
    text.append(0x0A)
  }
  if next() % 2 == 0, !text.isEmpty { text.removeLast() }  // sometimes no final newline
  return text
}
