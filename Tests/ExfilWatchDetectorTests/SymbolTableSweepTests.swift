import ExfilWatchEvent
import Testing

@Suite("SymbolTable sweeps and whole texts")
struct SymbolTableSweepTests {
  @Test("a sweep frees what is not marked; marked symbols keep their numbers and texts")
  func sweepKeepsMarked() throws {
    let table = SymbolTable()
    let symbols = (0..<1_000).map { table.intern("value-\($0)") }
    var marks = SymbolMarks(symbolCount: table.count)
    for (index, symbol) in symbols.enumerated() where index % 3 == 0 { marks.mark(symbol) }
    marks.mark(Symbol(rawValue: .max))  // a sentinel past the table is ignored
    #expect(table.sweep(keeping: marks) == 666)
    #expect(table.liveCount == 334)
    #expect(table.count == 1_000, "numbers stay given out")
    for (index, symbol) in symbols.enumerated() where index % 3 == 0 {
      #expect(table.string(symbol) == "value-\(index)")
      #expect(table.intern("value-\(index)") == symbol, "a kept value is found again")
    }
    // Freed values come back as new symbols, taking the freed numbers, lowest first.
    let again = table.intern("value-1")
    #expect(again == symbols[1])
    let fresh = table.intern("something new")
    #expect(fresh == symbols[2])
    #expect(table.string(fresh) == "something new")
    #expect(table.intern("value-2") != fresh)
    #expect(table.liveCount == 337)
    #expect(table.count == 1_000)
  }

  @Test("a table swept and grown again keeps every value it holds through growth")
  func sweptTableGrows() throws {
    let table = SymbolTable()
    var held: [(Symbol, String)] = []
    for round in 0..<20 {
      for index in 0..<5_000 {
        let text = "r\(round)-\(index)"
        let symbol = table.intern(text)
        if index % 50 == 0 { held.append((symbol, text)) }
      }
      var marks = SymbolMarks(symbolCount: table.count)
      for (symbol, _) in held { marks.mark(symbol) }
      table.sweep(keeping: marks)
    }
    #expect(table.liveCount == held.count)
    #expect(table.count == held.count - 100 + 5_000, "numbers are reused: only the held ones and one round's are given out")
    for (symbol, text) in held {
      #expect(table.string(symbol) == text)
      #expect(table.intern(text) == symbol)
    }
  }

  @Test("a freed number reads as nothing, and its next value reads as that value")
  func freedNumberIsNotCachedEmpty() throws {
    let table = SymbolTable()
    let alpha = table.intern("alpha")
    table.sweep(keeping: SymbolMarks(symbolCount: table.count))
    #expect(table.string(alpha) == nil)
    let beta = table.intern("beta")
    #expect(beta == alpha)
    #expect(table.string(beta) == "beta")
  }

  @Test("a restored table is swept once it holds the minimum, whatever it held when saved")
  func restoredTableSweepsAtTheMinimum() throws {
    let table = SymbolTable()
    table.minimumSweepCount = 64
    for index in 0..<100 { _ = table.intern("v\(index)") }
    let restored = try SymbolTable(encodedStrings: table.encodedStrings())
    restored.minimumSweepCount = 64
    #expect(restored.isSweepDue)
    var marks = SymbolMarks(symbolCount: restored.count)
    marks.mark(restored.intern("v1"))
    restored.sweep(keeping: marks)
    #expect(!restored.isSweepDue)
    for index in 0..<63 { _ = restored.intern("w\(index)") }
    #expect(restored.isSweepDue, "64 in use, twice the one held after the sweep")
  }

  @Test("a swept table is saved with its free numbers and comes back the same")
  func sweptTableRoundTrips() throws {
    let table = SymbolTable()
    let symbols = (0..<100).map { table.intern("v\($0)") }
    var marks = SymbolMarks(symbolCount: table.count)
    for symbol in symbols.prefix(10) { marks.mark(symbol) }
    table.sweep(keeping: marks)
    let restored = try SymbolTable(encodedStrings: table.encodedStrings())
    #expect(restored.count == 100)
    #expect(restored.liveCount == 10)
    for (index, symbol) in symbols.prefix(10).enumerated() { #expect(restored.string(symbol) == "v\(index)") }
    #expect(restored.intern("new") == table.intern("new"), "new values take the same free number")
  }

  @Test("a value interned shortened keys by its short text and names its whole text")
  func wholeTexts() throws {
    let table = SymbolTable()
    let whole = String(repeating: "é", count: 400) + "@example.com"
    let symbol = Array("éé…#abc".utf8).withUnsafeBytes { short in
      Array(whole.utf8).withUnsafeBytes { table.intern(short, whole: $0) }
    }
    #expect(table.string(symbol) == whole)
    #expect(table.withBytes(symbol) { String(decoding: $0, as: UTF8.self) } == "éé…#abc")
    #expect(table.intern("éé…#abc") == symbol)
    let restored = try SymbolTable(encodedStrings: table.encodedStrings())
    #expect(restored.string(symbol) == whole)
    // Freed, its number goes to another value, which does not inherit the whole text.
    table.sweep(keeping: SymbolMarks(symbolCount: table.count))
    let other = table.intern("other")
    #expect(other == symbol)
    #expect(table.string(other) == "other")
  }

  @Test("past the budget, long values are known by their short text only, and counted")
  func wholeTextBudget() throws {
    let table = SymbolTable()
    let long = [UInt8](repeating: 0x61, count: 1 << 20)
    let fits = SymbolTable.wholeTextBudget / long.count
    for index in 0..<(fits + 3) {
      let short = Array("a…#\(index)".utf8)
      let symbol = short.withUnsafeBytes { short in long.withUnsafeBytes { table.intern(short, whole: $0) } }
      #expect(table.string(symbol)?.utf8.count == (index < fits ? long.count : short.count))
    }
    #expect(table.wholeTextsNotKept == 3)
  }
}
