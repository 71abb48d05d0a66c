import ExfilWatchDecoder
import ExfilWatchSource
import ExfilWatchTestSupport
import Testing

@Suite("truncated and corrupt inputs give typed errors with offsets")
struct DamagedInputTests {
  let first = sampleAuditLines(count: 4_000, seed: 3)
  let second = sampleAuditLines(count: 4_000, seed: 4)

  @Test("truncated inside the second zstd frame or gzip member", arguments: [
    ("zstd", ["-q", "-5"]), ("gzip", ["-n", "-5"]),
  ])
  func truncatedSecondUnit(tool: String, arguments: [String]) throws {
    let directory = try TemporaryDirectory()
    let unit1 = try compress(tool, arguments, first)
    let unit2 = try compress(tool, arguments, second)
    let whole = unit1 + unit2
    for cut in [unit1.count + 1, unit1.count + 10, unit1.count + unit2.count / 2, whole.count - 1] {
      let path = try directory.write("cut-\(cut)", Array(whole.prefix(cut)))
      let error = try #require(try decodeError(path), "cut at \(cut) must fail")
      #expect(error.reason == .truncated)
      #expect(error.codec?.rawValue == tool)
      #expect(error.unitOffset == Int64(unit1.count), "the unfinished unit starts after the first")
      #expect(error.offset == Int64(cut), "all bytes were consumed before the end")
      #expect(error.description.contains("cut-\(cut)"))
      #expect(error.description.contains("\(unit1.count)"))
    }
    // Cut exactly between the units: a clean end, not an error.
    let clean = try directory.write("clean", unit1)
    #expect(try decodeFile(clean) == first)
  }

  @Test("a zstd file cut inside its magic number is truncated, not plain text")
  func truncatedInMagic() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("two-bytes.zst", [0x28, 0xB5])
    let error = try #require(try decodeError(path))
    #expect(error.reason == .truncated)
    #expect(error.codec == .zstd)
  }

  @Test("bit flips in zstd and gzip data are corrupt-data errors, never a crash or hang",
        arguments: [("zstd", ["-q", "-3"]), ("gzip", ["-n"])])
  func bitFlips(tool: String, arguments: [String]) throws {
    let directory = try TemporaryDirectory()
    let compressed = try compress(tool, arguments, first + second)
    var random = SeededGenerator(seed: 99)
    // Past the headers, every byte is covered by a checksum (zstd's content checksum, which the
    // zstd tool writes by default; gzip's CRC-32), so every flip must be caught.
    let headerBytes = tool == "zstd" ? 16 : 12
    for trial in 0..<40 {
      var damaged = compressed
      let position = headerBytes + Int(random.next() % UInt64(compressed.count - headerBytes - 8))
      damaged[position] ^= UInt8(1 << (random.next() % 8))
      let path = try directory.write("flip-\(trial)", damaged)
      let error = try #require(try decodeError(path), "flip at \(position) must be detected")
      switch error.reason {
      case .corrupt, .truncated:
        #expect(error.offset >= 0 && error.offset <= Int64(damaged.count))
        #expect(error.description.contains("flip-\(trial)"))
      default:
        Issue.record("flip at \(position): unexpected \(error)")
      }
    }
  }

  @Test("garbage after a complete gzip member is reported where it starts")
  func garbageAfterMember() throws {
    let directory = try TemporaryDirectory()
    let member = try compress("gzip", ["-n"], first)
    let path = try directory.write("trailing.gz", member + Array("not gzip at all".utf8))
    let error = try #require(try decodeError(path))
    guard case .corrupt = error.reason else {
      Issue.record("expected corrupt data, got \(error.reason)")
      return
    }
    #expect(error.unitOffset == Int64(member.count))
  }

  /// A pre-1.0 zstd frame (v0.6 magic `26 b5 2f fd`) after a good one: libzstd reads it when it
  /// arrives whole and refuses it byte by byte, so the decoder refuses it both ways.
  @Test("a frame with a zstd magic number from before 1.0 is corrupt, whole or byte by byte")
  func legacyMagicAfterFrame() throws {
    let frame = try compress("zstd", ["-q"], first)
    let legacy: [UInt8] = [0x26, 0xB5, 0x2F, 0xFD, 0x00, 0x00, 0x01, 0x00, 0x00]
    for (inputBuffer, maxRead) in [(1 << 16, Int.max), (1, 1)] {
      let options = DecoderOptions(inputBufferBytes: inputBuffer, outputBufferBytes: max(inputBuffer, 64))
      do {
        _ = try decodeAll(MemoryByteSource(bytes: frame + legacy, maxReadBytes: maxRead), options: options)
        Issue.record("read \(maxRead) bytes at a time: decoded without an error")
      } catch let error as DecodeError {
        guard case .corrupt = error.reason else {
          Issue.record("expected corrupt data, got \(error.reason)")
          continue
        }
        #expect(error.unitOffset == Int64(frame.count))
      }
    }
  }
}
