import ExfilWatchDecoder
import ExfilWatchSource
import ExfilWatchTestSupport
import Testing

@Suite("zstd files made by the zstd tool")
struct ZstdDecodingTests {
  let text = sampleAuditLines(count: 20_000)

  @Test("single frame at several levels", arguments: ["-1", "-3", "-19", "--fast=5"])
  func singleFrame(level: String) throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("single.zst", try compress("zstd", ["-q", level], text))
    #expect(try decodeFile(path) == text)
  }

  @Test("content size unknown (compressed from a pipe, no size in the header)")
  func unknownContentSize() throws {
    let directory = try TemporaryDirectory()
    let compressed = try compress("zstd", ["-q", "--no-content-size"], text)
    let path = try directory.write("streamed.zst", compressed)
    #expect(try decodeFile(path) == text)
  }

  @Test("separate zstd runs appended to one file, each a frame")
  func appendedRuns() throws {
    let directory = try TemporaryDirectory()
    var file: [UInt8] = []
    var expected: [UInt8] = []
    for (index, level) in ["-1", "-9", "-3", "-19"].enumerated() {
      let part = sampleAuditLines(count: 3_000 + index, seed: UInt64(index + 10))
      file += try compress("zstd", ["-q", level], part)
      expected += part
    }
    let path = try directory.write("appended.zst", file)
    #expect(try decodeFile(path) == expected)
  }

  @Test("many small frames, read through tiny and odd buffer sizes")
  func manyFramesAnyReadSize() throws {
    var file: [UInt8] = []
    var expected: [UInt8] = []
    for index in 0..<40 {
      let part = sampleAuditLines(count: 25, seed: UInt64(index))
      file += try compress("zstd", ["-q", "-3"], part)
      expected += part
    }
    for readSize in [1, 3, 7, 4096, Int.max] {
      for outputSize in [64, 1000, 1 << 18] {
        let source = MemoryByteSource(bytes: file, maxReadBytes: readSize)
        let options = DecoderOptions(inputBufferBytes: 64, outputBufferBytes: outputSize)
        #expect(try decodeAll(source, options: options) == expected, "read \(readSize), out \(outputSize)")
      }
    }
  }

  @Test("skippable frames written by pzstd and by hand are skipped")
  func skippableFrames() throws {
    let directory = try TemporaryDirectory()
    let pzstd = try compress("pzstd", ["-q", "-p", "2"], text)
    #expect(Array(pzstd.prefix(4)) == [0x50, 0x2A, 0x4D, 0x18], "pzstd starts with a skippable frame")
    let pzstdPath = try directory.write("pzstd.zst", pzstd)
    #expect(try decodeFile(pzstdPath) == text)

    // A skippable frame (magic 0x184D2A5F, little-endian size 5, 5 bytes of payload) between two
    // zstd frames and one at the end.
    let skippable: [UInt8] = [0x5F, 0x2A, 0x4D, 0x18, 5, 0, 0, 0] + Array("meta!".utf8)
    let first = try compress("zstd", ["-q"], Array(text.prefix(1000)))
    let second = try compress("zstd", ["-q"], Array(text.dropFirst(1000)))
    let mixedPath = try directory.write("mixed.zst", first + skippable + second + skippable)
    #expect(try decodeFile(mixedPath) == text)
  }

  @Test("an empty frame and an empty file decode to nothing")
  func emptyInputs() throws {
    let directory = try TemporaryDirectory()
    let emptyFrame = try directory.write("empty-frame.zst", try compress("zstd", ["-q"], []))
    #expect(try decodeFile(emptyFrame).isEmpty)
    let emptyFile = try directory.write("empty", [])
    let decoder = StreamDecoder(source: try FileByteSource(path: emptyFile))
    #expect(try decoder.nextChunk() == nil)
    #expect(decoder.codec == nil)
  }

  @Test("the codec comes from the magic bytes, not the file name")
  func codecFromContent() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("misnamed.log.gz", try compress("zstd", ["-q"], text))
    let decoder = StreamDecoder(source: try FileByteSource(path: path))
    var decoded: [UInt8] = []
    while let chunk = try decoder.nextChunk() { decoded += chunk }
    #expect(decoder.codec == .zstd)
    #expect(decoded == text)
  }

  @Test("a frame whose window exceeds the limit is refused, and decodes with a higher limit")
  func windowLimit() throws {
    let directory = try TemporaryDirectory()
    // From a pipe, zstd cannot shrink the window to the input size: the frame asks for 256 MiB.
    let path = try directory.write("long.zst", try compress("zstd", ["-q", "--long=28"], text))
    let error = try #require(try decodeError(path))
    #expect(error.reason == .windowTooLarge(limitBytes: 128 << 20))
    #expect(error.unitOffset == 0)
    #expect(error.description.contains("long.zst"))
    #expect(try decodeFile(path, options: DecoderOptions(maxWindowBytes: 256 << 20)) == text)
  }
}
