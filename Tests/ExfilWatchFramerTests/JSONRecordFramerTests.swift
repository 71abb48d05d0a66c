import ExfilWatchFramer
import PropertyBased
import Testing

/// Frames `text` with a `JSONRecordFramer` fed in chunks of the given sizes (cycled).
private func frameJSON(_ text: [UInt8], chunkSizes: [Int], maxRecordLength: Int = 1 << 20) throws -> [FramedLine] {
  var framer = JSONRecordFramer(maxRecordLength: maxRecordLength)
  return try frameRecords(text, with: &framer, chunkSizes: chunkSizes)
}

private func texts(_ lines: [FramedLine]) -> [String] {
  lines.map { $0.bytes.map { String(decoding: $0, as: UTF8.self) } ?? "<overlong \($0.length)>" }
}

@Suite("JSONRecordFramer")
struct JSONRecordFramerTests {
  @Test("JSON lines: one record per line, blank lines skipped, positions kept")
  func jsonLines() throws {
    let text = Array("{\"a\":1}\n\n  \n{\"b\":\"}{\"}\r\n{\"c\":[1,2]}".utf8)
    let framed = try frameJSON(text, chunkSizes: [3])
    #expect(texts(framed) == [#"{"a":1}"#, #"{"b":"}{"}"#, #"{"c":[1,2]}"#])
    #expect(framed.map(\.position.number) == [1, 4, 5])
  }

  @Test("JSON lines: a line opening with { and a byte that is not whitespace is a record; { and only whitespace opens an object")
  func lineOpeningBrace() throws {
    let text = Array("{\"a\":1}\n{ \"b\":2}\n{\t\n\"c\":3\n}\n{}\n {\"d\":4}\n{\r\n\"e\":5}\n{x\n".utf8)
    let framed = try frameJSON(text, chunkSizes: [5])
    #expect(texts(framed) == [
      #"{"a":1}"#, #"{ "b":2}"#, "{\t\n\"c\":3\n}", "{}", #" {"d":4}"#, "{\n\"e\":5}", "{x",
    ])
    #expect(framed.map(\.position.number) == [1, 2, 3, 6, 7, 8, 10])
  }

  @Test("a top-level array, pretty-printed: each element with the line it starts on")
  func array() throws {
    let text = Array("""
      [
        {"a": 1,
         "s": "x]y\\"}"},
        {"b": [ {"c": 2} ]}
      ]

      """.utf8)
    for chunk in [1, 2, 7, 1000] {
      let framed = try frameJSON(text, chunkSizes: [chunk])
      #expect(texts(framed) == ["{\"a\": 1,\n   \"s\": \"x]y\\\"}\"}", "{\"b\": [ {\"c\": 2} ]}"], "chunk \(chunk)")
      #expect(framed.map(\.position.number) == [2, 4])
    }
  }

  @Test("a wrapper object: the elements of its records array, other members ignored")
  func wrapper() throws {
    let text = Array("""
      {"count": 2, "audit_logs": [{"id": 1}, {"id": 2, "x": {"audit_logs": []}}],
       "next_page": null}
      {"audit_logs": [{"id": 3}]}
      """.utf8)
    for chunk in [1, 5, 4096] {
      #expect(texts(try frameJSON(text, chunkSizes: [chunk])) == [
        #"{"id": 1}"#, #"{"id": 2, "x": {"audit_logs": []}}"#, #"{"id": 3}"#,
      ])
    }
  }

  @Test("a records key that is not an array does not make a wrapper")
  func recordsStringIsNoWrapper() throws {
    let text = Array("{\"records\": \"28\", \"table\": \"task\"}\n{\"records\": \"3\"}\n".utf8)
    #expect(texts(try frameJSON(text, chunkSizes: [4])) == [
      #"{"records": "28", "table": "task"}"#, #"{"records": "3"}"#,
    ])
  }

  @Test("pretty-printed objects one after another")
  func prettyObjects() throws {
    let text = Array("{\n  \"a\": 1\n}\n{\n  \"b\": {\n    \"c\": 2\n  }\n}\n".utf8)
    let framed = try frameJSON(text, chunkSizes: [2])
    #expect(texts(framed) == ["{\n  \"a\": 1\n}", "{\n  \"b\": {\n    \"c\": 2\n  }\n}"])
    #expect(framed.map(\.position.number) == [1, 4])
  }

  @Test("damage is contained: a bad bracket ends one record, framing resumes at the next line")
  func damage() throws {
    let text = Array("[\n{\"a\": 1},\n{\"b\": 2]},\n{\"c\": 3}\n]\n".utf8)
    let framed = texts(try frameJSON(text, chunkSizes: [1000]))
    #expect(framed.first == #"{"a": 1}"#)
    #expect(framed.contains(#"{"b": 2]"#))
    #expect(framed.contains(#"{"c": 3}"#))
  }

  @Test("an overlong element is skipped with its length; the next is kept")
  func overlong() throws {
    let big = "{\"q\": \"" + String(repeating: "x", count: 300) + "\"}"
    let text = Array("[\(big), {\"ok\": true}]".utf8)
    let framed = try frameJSON(text, chunkSizes: [16], maxRecordLength: 100)
    #expect(texts(framed) == ["<overlong \(big.utf8.count)>", #"{"ok": true}"#])
  }

  @Test("hostile nesting is cut off at a bounded depth; the next line is read")
  func deepNesting() throws {
    let text = Array((String(repeating: "[", count: 100_000) + "\n{\"after\": 1}\n").utf8)
    let framed = try frameJSON(text, chunkSizes: [4096])
    #expect(framed.last.map { texts([$0]) } == [#"{"after": 1}"#])
    #expect(framed.count == 2, "the damaged nesting is one record, handed on to be rejected")
  }

  @Test("a record with an array member of a generic name (events, data, items) is a record")
  func genericArrayNamesAreNoWrapper() throws {
    let text = Array("{\n \"id\": 1,\n \"events\": [{\"name\": \"x\"}],\n \"data\": [], \"items\": [1]\n}\n".utf8)
    #expect(texts(try frameJSON(text, chunkSizes: [5])).count == 1)
  }

  @Test("a pretty-printed record cut short keeps its bytes when the next record starts")
  func truncatedPrettyRecordKeepsBytes() throws {
    let text = Array("{\n  \"a\": 1,\n  \"b\": \n{\n  \"c\": 2\n}\n".utf8)
    for chunk in [1, 3, 1000] {
      #expect(texts(try frameJSON(text, chunkSizes: [chunk])) == ["{\n  \"a\": 1,\n  \"b\": \n", "{\n  \"c\": 2\n}"], "chunk \(chunk)")
    }
  }

  @Test("in JSON lines, a line starting with { after a pretty object cut short is one line, as a resumed reading frames it")
  func lineAfterTruncatedPrettyObjectIsALine() throws {
    let text = Array("{\"a\":1}\n{\n  \"b\": \"cut\n{\"c\":2}0 \n{\"d\":3}\n".utf8)
    for chunk in [1, 4, 1000] {
      let framed = try frameJSON(text, chunkSizes: [chunk])
      #expect(texts(framed) == [#"{"a":1}"#, "{\n  \"b\": \"cut\n", #"{"c":2}0 "#, #"{"d":3}"#], "chunk \(chunk)")
      #expect(framed.map(\.position.number) == [1, 2, 4, 5])
    }
    // Resumed at the line that ended the damaged object: the same records from there.
    let resumeOffset = text.count - #"{"c":2}0 "#.utf8.count - #"{"d":3}"#.utf8.count - 2
    var resumed = JSONRecordFramer(resumingLinesAt: LinePosition(number: 4, offset: Int64(resumeOffset)))
    let tail = try frameRecords(Array(text[resumeOffset...]), with: &resumed, chunkSizes: [5])
    #expect(texts(tail) == [#"{"c":2}0 "#, #"{"d":3}"#])
    #expect(tail.map(\.position.offset) == [Int64(resumeOffset), Int64(resumeOffset) + 10])
  }

  @Test("an API page among JSON lines, its elements at column 0: each element is a record, counted as nested")
  func wrapperPageAmongLines() throws {
    let text = Array("{\"a\":1}\n{\n\"audit_logs\": [\n{\"id\": 1},\n{\"id\": 2}\n]\n}\n{\"b\":2}\n".utf8)
    for chunk in [1, 5, 1000] {
      var framer = JSONRecordFramer()
      let framed = try frameRecords(text, with: &framer, chunkSizes: [chunk])
      #expect(texts(framed) == [#"{"a":1}"#, #"{"id": 1}"#, #"{"id": 2}"#, #"{"b":2}"#], "chunk \(chunk)")
      #expect(framed.map(\.position.number) == [1, 4, 5, 8])
      #expect(framer.nestedRecordsInLines == 2)
    }
  }

  @Test("a pretty object inside CRLF JSON lines keeps exact lines and offsets")
  func prettyObjectInCRLFLines() throws {
    let text = Array("{\"a\":1}\r\n{\r\n  \"b\": 2\r\n}\r\n{\r\n \"c\": 3\r\n}\r\n".utf8)
    let framed = try frameJSON(text, chunkSizes: [3])
    #expect(texts(framed) == [#"{"a":1}"#, "{\n  \"b\": 2\n}", "{\n \"c\": 3\n}"])
    #expect(framed.map(\.position.number) == [1, 2, 5])
    #expect(framed.map(\.position.offset) == [0, 9, 25])
  }

  @Test("any chunking gives the records of reading everything at once")
  func chunkingDoesNotMatter() async {
    let shapes = [
      "{\"a\":1,\"s\":\"q\\\"{[\"}\n{\"b\":2}\n",
      "[{\"a\":1},{\"b\":{\"c\":[1,{\"d\":\"]\"}]}}]",
      "{\"data\":[{\"a\":1},{\"a\":2}],\"meta\":{}}",
      "{\n \"a\": \"line\\nbreak\"\n}\n{\n \"b\": 2\n}",
    ]
    await propertyCheck(input: Gen.int(in: 0...(shapes.count - 1)), Gen.int(in: 1...9).array(of: 1...6)) { shape, chunks in
      let text = Array(shapes[shape].utf8)
      let whole = try frameJSON(text, chunkSizes: [text.count])
      #expect(try frameJSON(text, chunkSizes: chunks) == whole)
      #expect(!whole.isEmpty)
    }
  }
}
