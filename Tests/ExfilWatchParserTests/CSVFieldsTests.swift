import ExfilWatchParser
import PropertyBased
import Testing

@Suite("CSVFields examples")
struct CSVFieldsTests {
  @Test("unquoted, empty and trailing empty fields")
  func emptyFields() {
    var fields = CSVFields()
    #expect(split("a,,b", with: &fields) == ["a", "", "b"])
    #expect(split("a,b,", with: &fields) == ["a", "b", ""])
    #expect(split(",", with: &fields) == ["", ""])
    #expect(split("", with: &fields) == [""])
    #expect(split("abc", with: &fields) == ["abc"])
  }

  @Test("quoted fields: empty, doubled quotes, commas, newlines, CRLF")
  func quotedFields() {
    var fields = CSVFields()
    #expect(split(#""""#, with: &fields) == [""])
    #expect(split(#""",x,"""#, with: &fields) == ["", "x", ""])
    #expect(split(#""a ""b"" c""#, with: &fields) == [#"a "b" c"#])
    #expect(split(#""""""#, with: &fields) == [#"""#])
    #expect(split(#""""""""#, with: &fields) == [#""""#])
    #expect(
      split("\"x,y\",\"1\n2\",\"3\r\n4\",5", with: &fields) == ["x,y", "1\n2", "3\r\n4", "5"])
    #expect(split(#""a""","""b",c"#, with: &fields) == [#"a""#, #""b"#, "c"])
  }

  @Test("a Salesforce Event Log File row, with its header")
  func salesforceRow() {
    var fields = CSVFields()
    #expect(split(#""EVENT_TYPE","TIMESTAMP","CLIENT_IP","EXCEPTION_MESSAGE""#, with: &fields)
      == ["EVENT_TYPE", "TIMESTAMP", "CLIENT_IP", "EXCEPTION_MESSAGE"])
    #expect(split(#""API","20250630000222.472","203.0.113.10","""#, with: &fields)
      == ["API", "20250630000222.472", "203.0.113.10", ""])
  }

  @Test("one CR at the very end is dropped; other CRs are kept")
  func carriageReturn() {
    var fields = CSVFields()
    #expect(split("a,b\r", with: &fields) == ["a", "b"])
    #expect(split("\"a\",\"b\"\r", with: &fields) == ["a", "b"])
    #expect(split("a,\r", with: &fields) == ["a", ""])
    #expect(split("\r", with: &fields) == [""])
    #expect(split("a\rb,\"c\r\"\r", with: &fields) == ["a\rb", "c\r"])
  }

  @Test("UTF-8 passes through unchanged")
  func utf8() {
    var fields = CSVFields()
    #expect(
      split("\"Zoë \"\"日本\"\"\",café,\"😀\"", with: &fields) == ["Zoë \"日本\"", "café", "😀"])
  }

  @Test("a quote inside an unquoted field is a literal byte")
  func literalQuotes() {
    var fields = CSVFields()
    #expect(split(#"ab"c,d"#, with: &fields) == [#"ab"c"#, "d"])
    #expect(split(#"a,b"",c"#, with: &fields) == ["a", #"b"""#, "c"])
    #expect(split(#" "x",y"#, with: &fields) == [#" "x""#, "y"])
  }

  @Test("malformed: a quoted field never closed, junk after a closing quote")
  func malformed() {
    var fields = CSVFields()
    for record in [
      #""abc"#, #"a,"b"#, #"""#, #""a"""#, #"x,"a""b"#, #""abc"x"#, #""a" ,b"#, #""a""b"c"#,
      "\"a\"\r\n", #""a"""x"#,
    ] {
      #expect(split(record, with: &fields) == nil, "\(record.debugDescription)")
      #expect(fields.count == 0)
    }
  }

  @Test("many fields and long escaped fields grow the buffers; earlier fields stay valid")
  func growth() {
    var fields = CSVFields()
    let many = (0..<300).map { "f\($0)" }
    #expect(split(many.joined(separator: ","), with: &fields) == many)
    let long = String(repeating: "ab\"", count: 2_000)
    let escaped = "\"" + String(repeating: "ab\"\"", count: 2_000) + "\""
    let record = (["\"x\"\"y\"", escaped, "plain", escaped]).joined(separator: ",")
    #expect(split(record, with: &fields) == ["x\"y", long, "plain", long])
    #expect(split("a,\"b\"\"\"", with: &fields) == ["a", "b\""])
  }

  @Test("a copy keeps its fields when the original splits again")
  func copies() {
    var fields = CSVFields()
    let first = Array(#""a""b",c"#.utf8)
    let second = Array(#""x""y",z"#.utf8)
    first.withUnsafeBytes { first in
      let splitFirst = fields.split(first)
      #expect(splitFirst)
      let copy = fields
      second.withUnsafeBytes { second in
        let splitSecond = fields.split(second)
        #expect(splitSecond)
        #expect(strings(fields) == [#"x"y"#, "z"])
        #expect(strings(copy) == [#"a"b"#, "c"])
      }
    }
  }
}

@Suite("CSVFields properties")
struct CSVFieldsPropertyTests {
  /// Field bytes drawn mostly from the characters that matter to CSV.
  static let alphabet: [UInt8] = [0x2C, 0x22, 0x22, 0x0A, 0x0D, 0x61, 0x62, 0x20, 0xC3, 0xA9]
  static let byte = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }

  @Test("random fields, written as CSV, split back to the same fields")
  func roundTrip() async {
    await propertyCheck(
      count: 1_000,
      input: Self.byte.array(of: 0...40).array(of: 1...8), Gen.bool, Gen.bool
    ) { row, quoteAll, trailingCR in
      var record = encode(row, quoteAll: quoteAll)
      if trailingCR { record.append(0x0D) }
      var fields = CSVFields()
      let split = record.withUnsafeBytes { bytes in
        fields.split(bytes) ? (0..<fields.count).map { Array(fields.field($0)) } : nil
      }
      #expect(split == row)
    }
  }

  @Test("random bytes split as a byte-by-byte reference parser does, malformed or not")
  func anyBytes() async {
    await propertyCheck(count: 2_000, input: Self.byte.array(of: 0...60)) { record in
      var fields = CSVFields()
      let split = record.withUnsafeBytes { bytes in
        fields.split(bytes) ? (0..<fields.count).map { Array(fields.field($0)) } : nil
      }
      #expect(split == referenceSplit(record))
    }
  }
}

/// Splits `record` with `fields`: the fields as strings, or nil if malformed.
private func split(_ record: String, with fields: inout CSVFields) -> [String]? {
  Array(record.utf8).withUnsafeBytes { fields.split($0) ? strings(fields) : nil }
}

private func strings(_ fields: CSVFields) -> [String] {
  (0..<fields.count).map { String(decoding: fields.field($0), as: UTF8.self) }
}

/// One CSV record: a field is quoted when it holds `,` `"` `\r` `\n`, is a lone empty field, or
/// `quoteAll`; quotes inside are doubled.
private func encode(_ row: [[UInt8]], quoteAll: Bool) -> [UInt8] {
  var record: [UInt8] = []
  for (column, field) in row.enumerated() {
    if column > 0 { record.append(0x2C) }
    let special: Set<UInt8> = [0x2C, 0x22, 0x0D, 0x0A]
    if quoteAll || field.contains(where: special.contains) || row == [[]] {
      record.append(0x22)
      for byte in field {
        record.append(byte)
        if byte == 0x22 { record.append(0x22) }
      }
      record.append(0x22)
    } else {
      record.append(contentsOf: field)
    }
  }
  return record
}

/// The rules of `CSVFields`, one byte at a time.
private func referenceSplit(_ input: [UInt8]) -> [[UInt8]]? {
  var record = input
  if record.last == 0x0D { record.removeLast() }
  var fields: [[UInt8]] = []
  var index = 0
  while true {
    var field: [UInt8] = []
    if index < record.count && record[index] == 0x22 {
      index += 1
      while true {
        guard index < record.count else { return nil }
        if record[index] != 0x22 {
          field.append(record[index])
          index += 1
        } else if index + 1 < record.count && record[index + 1] == 0x22 {
          field.append(0x22)
          index += 2
        } else {
          index += 1
          break
        }
      }
      guard index == record.count || record[index] == 0x2C else { return nil }
    } else {
      while index < record.count && record[index] != 0x2C {
        field.append(record[index])
        index += 1
      }
    }
    fields.append(field)
    if index == record.count { return fields }
    index += 1
  }
}

@Suite("CSVFields block boundaries")
struct CSVFieldsBoundaryTests {
  /// Commas and quotes are found sixteen bytes at a time, the last block overlapping the one
  /// before: a separator at every offset of records around those sizes splits as expected.
  @Test("separators at every offset")
  func separatorsAtEveryOffset() {
    var fields = CSVFields()
    for length in 0..<50 {
      let text = String(repeating: "a", count: length)
      for tail in 0..<20 {
        let rest = String(repeating: "b", count: tail)
        #expect(split(text + "," + rest, with: &fields) == [text, rest])
        #expect(split("\"" + text + "\"," + rest, with: &fields) == [text, rest])
        #expect(split("\"" + text + "\"\"" + rest + "\"", with: &fields) == [text + "\"" + rest])
        #expect(split("\"" + text + rest, with: &fields) == nil)
      }
    }
  }

  /// A closing quote followed by `,"` goes straight on to the next quoted field (one two-byte
  /// load): rows of quoted fields, cut at every length and ending where an inaccessible page
  /// begins, split as the reference does, with no read past the row.
  @Test("quoted rows cut at every length, ending at an inaccessible page")
  func quotedRowsCut() {
    let rows = [
      #""API","20250602000000.295","a""b","",",","x"",""y","""",z,"q""#,
      #""a","b","c"\#r"#,
      #""","",""""#,
      #""0123456789abcdef","0123456789abcde","0123456789abcdefg",",",""#,
    ]
    var fields = CSVFields()
    for row in rows {
      let bytes = Array(row.utf8)
      for length in 0...bytes.count {
        let cut = Array(bytes[..<length])
        let guarded = GuardedBytes(cut)
        let split = fields.split(guarded.bytes) ? (0..<fields.count).map { Array(fields.field($0)) } : nil
        #expect(split == referenceSplit(cut), "\(row) cut at \(length)")
      }
    }
  }
}
