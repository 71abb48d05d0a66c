import ExfilWatchFramer
import PropertyBased
import Testing

@Suite("CSVRecordFramer examples")
struct CSVRecordFramerTests {
  @Test("a Salesforce header and rows, fed whole and byte by byte")
  func headerAndRows() throws {
    let text = """
      "EVENT_TYPE","TIMESTAMP","ROWS_PROCESSED"
      "API","20250630000222.472","5"
      "API","20250630000240.633","1"

      """
    for chunk in [1, 2, 7, 1_000] {
      let records = try frameCSV(Array(text.utf8), chunkSizes: [chunk], maxRecordLength: 100)
      #expect(records.map(\.description) == [
        #"1@0:41:"\"EVENT_TYPE\",\"TIMESTAMP\",\"ROWS_PROCESSED\"""#,
        #"2@42:30:"\"API\",\"20250630000222.472\",\"5\"""#,
        #"3@73:30:"\"API\",\"20250630000240.633\",\"1\"""#,
      ], "chunk \(chunk)")
    }
  }

  @Test("newlines inside quotes do not end a record but advance the line count")
  func quotedNewlines() throws {
    let text = "\"a\",\"x\ny\nz\"\n\"b\",\"\r\n\"\r\nc,d\n"
    for chunk in [1, 3, 5, 100] {
      let records = try frameCSV(Array(text.utf8), chunkSizes: [chunk], maxRecordLength: 100)
      #expect(records.map(\.description) == [
        #"1@0:11:"\"a\",\"x\ny\nz\"""#,
        #"4@12:8:"\"b\",\"\r\n\"""#,
        #"6@22:3:"c,d""#,
      ], "chunk \(chunk)")
    }
  }

  @Test("doubled quotes toggle twice: a newline after them still ends the record")
  func doubledQuotes() throws {
    let text = "\"say \"\"hi\"\"\",\"\"\n\"\"\"\n\"\"\"\nnext\n"
    let records = try frameCSV(Array(text.utf8), chunkSizes: [2], maxRecordLength: 100)
    #expect(records.map(\.description) == [
      #"1@0:15:"\"say \"\"hi\"\"\",\"\"""#,
      #"2@16:7:"\"\"\"\n\"\"\"""#,
      #"4@24:4:"next""#,
    ])
  }

  @Test("CRLF endings, a CR split from its LF, empty records")
  func crlf() throws {
    var framer = CSVRecordFramer()
    var handler = CollectingHandler()
    for chunk in ["a,b\r", "\n\r\n\"c\r", "\n\",d\r\n"] {
      try Array(chunk.utf8).withUnsafeBytes { try framer.feed($0, into: &handler) }
    }
    #expect(handler.lines.map(\.description) == [
      #"1@0:3:"a,b""#, #"2@5:0:"""#, #"3@7:7:"\"c\r\n\",d""#,
    ])
    #expect(!framer.hasPartialRecord)
    #expect(framer.nextPosition == LinePosition(number: 5, offset: 16))
  }

  @Test("a final record without newline, or with a quote never closed, is emitted by finish")
  func finalRecord() throws {
    var framer = CSVRecordFramer()
    var handler = CollectingHandler()
    try Array("a,b\n\"c\nd".utf8).withUnsafeBytes { try framer.feed($0, into: &handler) }
    #expect(handler.lines.map(\.description) == [#"1@0:3:"a,b""#])
    #expect(framer.hasPartialRecord)
    try framer.finish(into: &handler)
    #expect(handler.lines.map(\.description) == [#"1@0:3:"a,b""#, #"2@4:4:"\"c\nd""#])
    #expect(!framer.hasPartialRecord)
    try framer.finish(into: &handler)
    #expect(handler.lines.count == 2)

    let plain = try frameCSV(Array("x,y\nlast".utf8), chunkSizes: [3], maxRecordLength: 100)
    #expect(plain.map(\.description) == [#"1@0:3:"x,y""#, #"2@4:4:"last""#])
  }

  @Test("an overlong record across lines and chunks is skipped; the next one has its position")
  func overlong() throws {
    let long = "\"" + String(repeating: "x\n", count: 50) + "\""  // 102 bytes over 51 lines
    let text = Array("ok\n\(long)\r\nafter\n\(long)".utf8)
    for chunk in [1, 7, 64, 1_000] {
      let records = try frameCSV(text, chunkSizes: [chunk], maxRecordLength: 10)
      #expect(records.map(\.description) == [
        #"1@0:2:"ok""#, "2@3:102:<overlong>", #"53@107:5:"after""#, "54@113:102:<overlong>",
      ], "chunk \(chunk)")
    }
  }

  @Test("a record of exactly the limit is kept, with or without CR; one byte more is not")
  func limitBoundary() throws {
    let exact = Array("\"a\nb\",\"\"".utf8)
    for ending: [UInt8] in [[0x0A], [0x0D, 0x0A]] {
      for chunk in [1, 3, 100] {
        let kept = try frameCSV(exact + ending, chunkSizes: [chunk], maxRecordLength: exact.count)
        #expect(kept.first?.bytes == exact, "chunk \(chunk)")
        let over = try frameCSV(
          exact + [0x61] + ending, chunkSizes: [chunk], maxRecordLength: exact.count)
        #expect(over.first?.bytes == nil && over.first?.length == exact.count + 1, "chunk \(chunk)")
      }
    }
  }

  @Test("quotes counted across every vector boundary of the scan")
  func quoteParityAtAllLengths() throws {
    // A quoted newline at every position from 0 to 200: the quote before it is in the scan's
    // scalar, vector, unrolled or overlapping-tail part depending on the position.
    for padding in 0...200 {
      let record = Array(String(repeating: "a", count: padding).utf8) + Array("\"\n\"".utf8)
      let text = record + [0x0A] + Array("z".utf8)
      let records = try frameCSV(text, chunkSizes: [], maxRecordLength: 1_000)
      #expect(records.map(\.bytes) == [record, Array("z".utf8)], "padding \(padding)")
      #expect(records.last?.position == LinePosition(number: 3, offset: Int64(record.count + 1)))
    }
  }
}

/// For any table and any way of cutting its CSV text into chunks, the framer's records are the
/// table's rows, with the line where each starts and its offset.
@Suite("CSVRecordFramer properties")
struct CSVRecordFramerPropertyTests {
  /// Field bytes drawn mostly from the characters that matter to CSV.
  static let alphabet: [UInt8] = [0x2C, 0x22, 0x22, 0x0A, 0x0D, 0x61, 0x62, 0x20, 0xC3, 0xA9]
  static let byte = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }
  static let table = byte.array(of: 0...12).array(of: 1...5).array(of: 0...12)

  @Test("random tables, random chunks, random record limit")
  func randomTables() async {
    await propertyCheck(
      count: 500,
      input: Self.table, Gen.bool.array(of: 12), Gen.bool, Gen.int(in: 1...17).array(of: 1...6),
      Gen.int(in: 1...80)
    ) { table, crlf, finalNewline, chunkSizes, limit in
      let csv = CSVTable(rows: table, crlf: crlf, finalNewline: finalNewline)
      let framed = try frameCSV(csv.text, chunkSizes: chunkSizes, maxRecordLength: limit)
      #expect(framed == csv.expectedRecords(maxRecordLength: limit))
    }
  }

  @Test("large tables with long quoted fields, chunks from 1 byte to a megabyte")
  func largeTables() async {
    await propertyCheck(
      count: 20,
      input: Gen.uint64(), Gen.int(in: 0...1_000), Gen.int(in: 0...20).array(of: 1...12)
    ) { seed, rowCount, chunkExponents in
      var random = XorShift(seed: seed)
      let table = (0..<rowCount).map { _ in
        (0...random.below(30)).map { _ in
          // Mostly short fields, some long ones full of quotes and newlines.
          (0..<random.below(random.below(20) == 0 ? 2_000 : 20)).map { _ in
            Self.alphabet[random.below(Self.alphabet.count)]
          }
        }
      }
      let crlf = (0..<16).map { _ in random.below(2) == 0 }
      let csv = CSVTable(rows: table, crlf: crlf, finalNewline: random.below(2) == 0)
      let chunkSizes = chunkExponents.map { (1 << $0) + Int(seed % 5) }
      let limit = 8_192
      let framed = try frameCSV(csv.text, chunkSizes: chunkSizes, maxRecordLength: limit)
      #expect(framed == csv.expectedRecords(maxRecordLength: limit))
    }
  }
}

/// A table written as CSV, and the records a framer should cut from it.
private struct CSVTable {
  var text: [UInt8] = []
  /// Each row's bytes without terminator, and where it starts.
  var rows: [(bytes: [UInt8], position: LinePosition)] = []

  /// Writes `rows` quoting a field when it holds `,` `"` `\r` `\n` (or is a lone empty field,
  /// which would otherwise be an empty line), doubling its quotes; row `i` ends with `\r\n` when
  /// `crlf[i % crlf.count]`, the last one only if `finalNewline`.
  init(rows table: [[[UInt8]]], crlf: [Bool], finalNewline: Bool) {
    var line = 1
    for (index, fields) in table.enumerated() {
      var row: [UInt8] = []
      for (column, field) in fields.enumerated() {
        if column > 0 { row.append(0x2C) }
        let special: Set<UInt8> = [0x2C, 0x22, 0x0D, 0x0A]
        if field.contains(where: special.contains) || fields == [[]] {
          row.append(0x22)
          for byte in field {
            row.append(byte)
            if byte == 0x22 { row.append(0x22) }
          }
          row.append(0x22)
        } else {
          row.append(contentsOf: field)
        }
      }
      rows.append((row, LinePosition(number: line, offset: Int64(text.count))))
      text.append(contentsOf: row)
      line += row.count(where: { $0 == 0x0A }) + 1
      if index < table.count - 1 || finalNewline {
        if !crlf.isEmpty && crlf[index % crlf.count] { text.append(0x0D) }
        text.append(0x0A)
      }
    }
  }

  func expectedRecords(maxRecordLength: Int) -> [FramedLine] {
    rows.map { row in
      FramedLine(
        bytes: row.bytes.count <= maxRecordLength ? row.bytes : nil,
        length: row.bytes.count,
        position: row.position)
    }
  }
}

/// Frames `text` as CSV fed in chunks of the given sizes (cycled; none: all at once), then
/// finishes.
private func frameCSV(
  _ text: [UInt8],
  chunkSizes: [Int],
  maxRecordLength: Int
) throws -> [FramedLine] {
  var framer = CSVRecordFramer(maxRecordLength: maxRecordLength)
  let lines = try frameRecords(text, with: &framer, chunkSizes: chunkSizes)
  #expect(!framer.hasPartialRecord)
  return lines
}

/// A small deterministic generator (xorshift64), so a large table is reproducible from a seed.
private struct XorShift {
  var state: UInt64

  init(seed: UInt64) { state = seed | 1 }

  mutating func below(_ bound: Int) -> Int {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return Int(state % UInt64(bound))
  }
}
