import ExfilWatchDecoder
import ExfilWatchSource
import ExfilWatchTestSupport
import Testing

@Suite("gzip files made by the gzip tool, and plain files")
struct GzipAndPlainDecodingTests {
  let text = sampleAuditLines(count: 20_000, seed: 7)

  @Test("single member at several levels", arguments: ["-1", "-6", "-9"])
  func singleMember(level: String) throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("single.gz", try compress("gzip", ["-n", level], text))
    #expect(try decodeFile(path) == text)
  }

  @Test("multi-member file as `cat a.gz b.gz` makes decodes like zcat")
  func multiMember() throws {
    let directory = try TemporaryDirectory()
    var file: [UInt8] = []
    var expected: [UInt8] = []
    for index in 0..<5 {
      let part = sampleAuditLines(count: 500 * (index + 1), seed: UInt64(index))
      file += try compress("gzip", ["-n", "-\(index + 1)"], part)
      expected += part
    }
    file += try compress("gzip", ["-n"], [])  // an empty member at the end
    let path = try directory.write("joined.gz", file)
    #expect(try decodeFile(path) == expected)
    #expect(try runToolChecked("gzip", ["-dc", path]) == expected, "zcat agrees")
    for readSize in [1, 5, 333] {
      let source = MemoryByteSource(bytes: file, maxReadBytes: readSize)
      let options = DecoderOptions(inputBufferBytes: 64, outputBufferBytes: 777)
      #expect(try decodeAll(source, options: options) == expected, "read size \(readSize)")
    }
  }

  @Test("plain text passes through unchanged at any read size")
  func plain() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("plain.jsonl", text)
    #expect(try decodeFile(path) == text)
    for readSize in [1, 2, 3, 5, 1 << 16] {
      let source = MemoryByteSource(bytes: text, maxReadBytes: readSize)
      #expect(try decodeAll(source, options: DecoderOptions(inputBufferBytes: 64)) == text)
    }
  }

  @Test("short plain inputs that look like the start of a magic number")
  func shortInputs() throws {
    for bytes: [UInt8] in [[0x50], [0x50, 0x61], Array("P*M".utf8), [0x7B], Array("ok\n".utf8)] {
      let decoder = StreamDecoder(source: MemoryByteSource(bytes: bytes, maxReadBytes: 1))
      let looksCompressed = bytes == [0x50] || bytes == Array("P*M".utf8)
      if looksCompressed {
        // A strict prefix of a skippable-frame magic at end of input: an unfinished zstd frame.
        #expect(throws: DecodeError.self) { _ = try decoder.nextChunk() }
      } else {
        var decoded: [UInt8] = []
        while let chunk = try decoder.nextChunk() { decoded += chunk }
        #expect(decoded == bytes)
        #expect(decoder.codec == .plain)
      }
    }
  }

  @Test("an unreadable source is a typed error naming it")
  func unreadable() throws {
    let directory = try TemporaryDirectory()
    #expect(throws: SourceError.self) { _ = try FileByteSource(path: directory.path("missing.zst")) }
    let source = try FileByteSource(path: directory.url.path)  // a directory opens, then EISDIR
    let error = try #require(try { () throws -> DecodeError? in
      do { _ = try decodeAll(source) } catch let error as DecodeError { return error }
      return nil
    }())
    guard case .unreadable(let sourceError) = error.reason else {
      Issue.record("expected .unreadable, got \(error.reason)")
      return
    }
    #expect(sourceError.errno == .isDirectory)
    #expect(error.description.contains(directory.url.path))
  }
}
