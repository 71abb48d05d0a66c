import Testing

@testable import ExfilWatchParser

/// `nextMember` reads the compact `,"key":value` by testing the separators' bytes, and anything
/// else the general way. These cases put whitespace, and bytes that are never valid between
/// tokens, at every position of a compact record, and cut the record at every length: the
/// decision and the keys read must be those of the JSON rules, whichever path reads them.
@Suite("JSONScanner separators")
struct JSONScannerSeparatorTests {
  static let record = Array(#"{"a":1,"bb":"x,\":y","c":{"d":null,"e":[1,{"f":"g"}]},"hh":true,"i":-2.5e3}"#.utf8)
  static let keys = ["a", "bb", "c", "hh", "i"]

  @Test("whitespace anywhere between tokens is accepted, any other byte there refused")
  func insertedBytes() {
    let places = Self.places(Self.record)
    for position in 0...Self.record.count {
      for byte: UInt8 in [0x20, 0x09, 0x0A, 0x0D, 0x01, 0x1F, UInt8(ascii: "x"), UInt8(ascii: "#")] {
        var changed = Self.record
        changed.insert(byte, at: position)
        let isWhitespace = [0x20, 0x09, 0x0A, 0x0D].contains(byte)
        let valid: Bool
        switch places[position] {
        case .betweenTokens: valid = isWhitespace
        // Any byte is string content (the scanner leaves control bytes be).
        case .inString: valid = true
        // Splits a number or literal, or unescapes a quote.
        case .inToken: valid = false
        }
        let keys = Self.topLevelKeys(changed)
        #expect(keys?.count == (valid ? Self.keys.count : nil), "\(byte) at \(position)")
        if places[position] == .betweenTokens && valid {
          #expect(keys == Self.keys, "\(byte) at \(position)")
        }
      }
    }
  }

  @Test("every record cut short is refused, at every distance from the separators")
  func truncated() {
    for length in 0..<Self.record.count {
      #expect(Self.topLevelKeys(Array(Self.record[..<length])) == nil, "cut at \(length)")
    }
    #expect(Self.topLevelKeys(Self.record) == Self.keys)
  }

  @Test("the member limit counts members read either way")
  func memberLimit() {
    let spaced = Array(#"{"a":1 , "b":2,"c":3}"#.utf8)
    let compact = Array(#"{"a":1,"b":2,"c":3}"#.utf8)
    for record in [spaced, compact] {
      #expect(Self.topLevelKeys(record, maxFields: 3) == ["a", "b", "c"])
      #expect(Self.topLevelKeys(record, maxFields: 2) == nil)
    }
  }

  /// The keys of the top-level object, each value skipped, or nil if the record is refused.
  private static func topLevelKeys(_ record: [UInt8], maxFields: Int = .max) -> [String]? {
    record.withUnsafeBytes { bytes in
      var scanner = JSONScanner(bytes, maxFields: maxFields)
      var keys: [String] = []
      do throws(JSONSyntaxError) {
        scanner.skipWhitespace()
        guard scanner.nextByte == UInt8(ascii: "{") else { return nil }
        var object = try scanner.enterContainer()
        while let key = try scanner.nextMember(&object) {
          keys.append(String(decoding: scanner.bytes(of: key), as: UTF8.self))
          _ = try scanner.skipValue()
        }
        try scanner.expectEnd()
        return keys
      } catch {
        return nil
      }
    }
  }

  enum Place {
    case betweenTokens, inString, inToken
  }

  /// What a byte inserted before `record[position]` (or at the end) would land in.
  private static func places(_ record: [UInt8]) -> [Place] {
    var places: [Place] = []
    var inString = false
    var escaped = false
    var previous: UInt8 = 0
    let bare = Set(Array("abcdefghijklmnopqrstuvwxyz0123456789.+-".utf8))
    for byte in record {
      if inString {
        places.append(escaped ? .inToken : .inString)
        if escaped {
          escaped = false
        } else if byte == 0x5C {
          escaped = true
        } else if byte == 0x22 {
          inString = false
        }
      } else {
        places.append(bare.contains(previous) && bare.contains(byte) ? .inToken : .betweenTokens)
        inString = byte == 0x22
      }
      previous = inString ? 0 : byte
    }
    places.append(.betweenTokens)
    return places
  }
}
