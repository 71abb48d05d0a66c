import PropertyBased
import Testing

@testable import ExfilWatchParser

/// The scanner crosses strings sixteen bytes at a time and steps over every escape of a block
/// from one mask; these cases put quotes, escapes and the record's end at every offset around
/// the blocks, and compare with a byte-by-byte reading of the same rules.
@Suite("JSONScanner strings")
struct JSONScannerTests {
  static let escapes = [#"\""#, #"\\"#, #"\/"#, #"\u00e9"#, #"\\\""#, #"\"\""#]

  @Test("one escape at every offset, the closing quote at every distance from the record's end")
  func escapeAtEveryOffset() {
    for escape in Self.escapes {
      for before in 0..<40 {
        for after in [0, 1, 7, 13, 14, 15, 16, 17] {
          let content = String(repeating: "a", count: before) + escape + String(repeating: "b", count: after)
          for padding in 0...18 {
            check(Array(("\"" + content + "\"" + String(repeating: " ", count: padding)).utf8))
          }
          // Never closed: the record ends inside the string (or right after a backslash).
          check(Array(("\"" + content).utf8))
          check(Array(("\"" + content + "\\").utf8))
        }
      }
    }
  }

  @Test("plain strings of every length up to three blocks")
  func plainStrings() {
    for length in 0..<50 {
      for padding in 0...17 {
        check(Array(("\"" + String(repeating: "x", count: length) + "\"" + String(repeating: " ", count: padding)).utf8))
      }
    }
  }

  /// String bytes drawn mostly from those that matter to the scan.
  static let alphabet: [UInt8] = [0x22, 0x5C, 0x5C, 0x61, 0x62, 0x75, 0xC3, 0xA9, 0x20]
  static let byte = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }

  @Test("random strings end where a byte-by-byte scan ends them")
  func randomStrings() async {
    await propertyCheck(count: 3_000, input: Self.byte.array(of: 0...80)) { content in
      check([0x22] + content)
    }
  }

  @Test("every string of quotes, backslashes and letters up to five, at every offset, before every end")
  func shortRunsEverywhere() {
    let symbols: [UInt8] = [0x61, 0x5C, 0x22]
    var contents: [[UInt8]] = [[]]
    var all: [[UInt8]] = [[]]
    for _ in 1...5 {
      contents = contents.flatMap { content in symbols.map { content + [$0] } }
      all += contents
    }
    for content in all {
      for before in 0..<20 {
        for after in [0, 1, 2, 14, 15, 16, 17] {
          let record = [0x22] + Array(repeating: UInt8(ascii: "x"), count: before) + content
            + Array(repeating: UInt8(ascii: "y"), count: after)
          check(record)
        }
      }
    }
  }

  /// Scans the string at the start of `record` and compares the outcome with `reference`,
  /// the record in an array and again ending at an inaccessible page (the scan must not read
  /// past it).
  private func check(_ record: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    record.withUnsafeBytes { check(record, $0, sourceLocation: sourceLocation) }
    let guarded = GuardedBytes(record)
    check(record, guarded.bytes, sourceLocation: sourceLocation)
  }

  private func check(
    _ record: [UInt8], _ placed: UnsafeRawBufferPointer, sourceLocation: SourceLocation
  ) {
    let expected = reference(record)
    let described = String(decoding: record, as: UTF8.self)
    do {
      let bytes = placed
      var scanner = JSONScanner(bytes)
      do throws(JSONSyntaxError) {
        let value = try scanner.skipValue()
        #expect(
          expected?.end == value.end && expected?.hasEscapes == value.hasEscapes, "\(described)",
          sourceLocation: sourceLocation)
        #expect(value.start == 1 && scanner.index == value.end + 1, sourceLocation: sourceLocation)
      } catch {
        #expect(expected == nil && error.offset == record.count, "\(described)", sourceLocation: sourceLocation)
      }
    }
  }

  /// Where the string opened at `record[0]` closes: the first quote not escaped, a backslash
  /// escaping the byte after it, whatever it is; nil if the record ends first.
  private func reference(_ record: [UInt8]) -> (end: Int, hasEscapes: Bool)? {
    var index = 1
    var hasEscapes = false
    while index < record.count {
      switch record[index] {
      case 0x22: return (index, hasEscapes)
      case 0x5C: hasEscapes = true; index += 2
      default: index += 1
      }
    }
    return nil
  }
}
