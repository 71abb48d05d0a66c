/// Streams the records of a JSON document: top-level objects one after another, the elements of
/// a top-level array, or the elements of a wrapper's array (`JSONRecordFramer.wrapperKeys`).
///
/// It tracks only what framing needs: string and escape state, the stack of open brackets, the
/// last key of the top-level object (to recognise a wrapper), and the line number. Each record
/// is gathered in one reused buffer of at most `maxRecordLength` bytes, past which it is skipped
/// and reported as overlong (JSON lines, the common shape, goes through `LineFramer` without this
/// copy).
///
/// Damage is contained: a closing bracket that does not match, or stray text between records,
/// ends the current record there (it reaches the handler and the parser rejects it as bad JSON)
/// and scanning resumes at the next line as if at the top level.
struct JSONDocumentScanner {
  let maxRecordLength: Int
  /// The deepest nesting followed; deeper input is treated as damaged, so the bracket stack
  /// stays small whatever the input.
  static let maxDepth = 512
  /// Whether a wrapper object has been seen.
  private(set) var sawWrapper = false

  private var line = 1
  private var fedOffset: Int64 = 0
  private var stack: [UInt8] = []
  private var inString = false
  private var escaped = false

  /// The depth at which containers are records: 0 for top-level objects, 1 in a top-level
  /// array, 2 in a wrapper's array, nil inside a wrapper outside its record arrays.
  private var recordDepth: Int? = 0

  // Wrapper recognition, at depth 1 of a top-level object.
  private var expectingKey = false
  private var afterColon = false
  private var capturingKey = false
  private var key: [UInt8] = []

  // The record being gathered.
  private var inRecord = false
  /// Stray text at the top level: gathered to the end of its line as a record of its own.
  private var inJunk = false
  private var resyncAtNewline = false
  private var recordPosition = LinePosition(number: 1, offset: 0)
  private var partial: PartialRecord

  /// True right after a newline outside any record's proper end: see `feed`.
  private var atLineStart = true

  /// - Parameter start: where the first byte fed sits in the input (when a JSON-lines input
  ///   turns out to hold a multi-line object, the scanner takes over from that line).
  init(maxRecordLength: Int, start: LinePosition = LinePosition(number: 1, offset: 0)) {
    self.maxRecordLength = maxRecordLength
    partial = PartialRecord(maxLength: maxRecordLength)
    line = start.number
    fedOffset = start.offset
  }

  /// Sets where the next byte fed sits in the input, when the caller feeds it line by line
  /// without the original line terminators.
  mutating func move(to position: LinePosition) {
    line = position.number
    fedOffset = position.offset
  }

  /// Whether everything fed so far is finished: no record, string or bracket is open.
  var isBetweenRecords: Bool {
    stack.isEmpty && !inRecord && !inJunk && !inString && !resyncAtNewline
  }

  /// Whether a `{` at column 0 would end what is open (see `feed`): inside a top-level object,
  /// not among the elements of an array or a wrapper's array, which may sit at column 0.
  var isCutByRecordAtLineStart: Bool {
    !isBetweenRecords && recordDepth == 0
  }

  /// Records handed on from inside an array or a wrapper: they start where reading cannot
  /// start again (only the array's own start can), unlike top-level objects.
  private(set) var nestedRecords = 0

  mutating func feed<Handler: LineHandler>(
    _ chunk: UnsafeRawBufferPointer, into handler: inout Handler
  ) throws {
    let chunkOffset = fedOffset
    fedOffset += Int64(chunk.count)
    /// Where the current record's bytes start in this chunk.
    var pieceStart = 0
    var index = 0
    let count = chunk.count
    while index < count {
      let byte = chunk[index]
      if atLineStart {
        atLineStart = false
        // Objects one after another (JSON lines, pretty-printed records) start at column 0,
        // while their own contents are indented: a `{` at column 0 inside an unfinished
        // top-level record means that record was cut short (a truncated line). Hand it on as
        // it is and start afresh, so one damaged line costs one record, not the rest.
        if byte == UInt8(ascii: "{") && inRecord && recordDepth == 0 && !stack.isEmpty {
          try gather(chunk, from: pieceStart, to: index)
          try emitRecord(into: &handler)
          stack.removeAll(keepingCapacity: true)
          inString = false
          escaped = false
          capturingKey = false
        }
      }
      if byte == 0x0A { atLineStart = true }
      if inString {
        if escaped {
          escaped = false
          if capturingKey { captureKeyByte(byte) }
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
          capturingKey = false
        } else if capturingKey {
          captureKeyByte(byte)
        }
        if byte == 0x0A { line += 1 }
        index += 1
        continue
      }
      if resyncAtNewline || inJunk {
        if byte == 0x0A {
          if inJunk {
            try gather(chunk, from: pieceStart, to: index)
            try emitRecord(into: &handler)
            inJunk = false
          }
          resyncAtNewline = false
          line += 1
        }
        index += 1
        continue
      }
      switch byte {
      case 0x0A:
        line += 1
      case 0x20, 0x0D, 0x09, UInt8(ascii: ","):
        if byte == UInt8(ascii: ",") && stack.count == 1 && stack[0] == UInt8(ascii: "{") {
          expectingKey = true
          afterColon = false
        }
      case UInt8(ascii: "\""):
        inString = true
        if stack.count == 1 && stack[0] == UInt8(ascii: "{") && expectingKey {
          capturingKey = true
          expectingKey = false
          key.removeAll(keepingCapacity: true)
        }
        if stack.isEmpty { startJunk(at: index, chunkOffset: chunkOffset, pieceStart: &pieceStart) }
      case UInt8(ascii: ":"):
        if stack.count == 1 { afterColon = true }
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        if stack.count == 1 && stack[0] == UInt8(ascii: "{") && byte == UInt8(ascii: "[")
          && afterColon && JSONRecordFramer.wrapperKeys.contains(key)
          && (inRecord || recordDepth == nil)
        {
          // The top-level object is a wrapper: its array's elements are the records.
          sawWrapper = true
          inRecord = false
          partial.discard()
          recordDepth = 2
        } else if stack.isEmpty {
          recordDepth = byte == UInt8(ascii: "[") ? 1 : 0
          expectingKey = byte == UInt8(ascii: "{")
          afterColon = false
        }
        if stack.count == recordDepth && !inRecord {
          inRecord = true
          pieceStart = index
          recordPosition = LinePosition(number: line, offset: chunkOffset + Int64(index))
        }
        guard stack.count < Self.maxDepth else {
          // Hostile nesting: the record is damaged; end it and resume at the next line.
          try recover(chunk, at: index, pieceStart: pieceStart, into: &handler)
          index += 1
          continue
        }
        stack.append(byte)
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        let opening = byte == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "[")
        guard stack.last == opening else {
          try recover(chunk, at: index, pieceStart: pieceStart, into: &handler)
          index += 1
          continue
        }
        stack.removeLast()
        if inRecord && stack.count == recordDepth {
          try gather(chunk, from: pieceStart, to: index + 1)
          try emitRecord(into: &handler)
        } else if recordDepth == 2 && stack.count == 1 {
          recordDepth = nil  // the wrapper's array ended; skip the wrapper's other members
        }
        if stack.isEmpty { recordDepth = 0 }
      default:
        if stack.isEmpty { startJunk(at: index, chunkOffset: chunkOffset, pieceStart: &pieceStart) }
      }
      index += 1
    }
    if inRecord || inJunk {
      try gather(chunk, from: pieceStart, to: count)
    }
  }

  /// At the end of the input, an unfinished record or stray text still reaches the handler.
  mutating func finish<Handler: LineHandler>(into handler: inout Handler) throws {
    if inRecord || inJunk {
      try emitRecord(into: &handler)
    }
    inJunk = false
  }

  private mutating func captureKeyByte(_ byte: UInt8) {
    if key.count < 64 { key.append(byte) }
  }

  private mutating func startJunk(at index: Int, chunkOffset: Int64, pieceStart: inout Int) {
    inJunk = true
    pieceStart = index
    recordPosition = LinePosition(number: line, offset: chunkOffset + Int64(index))
  }

  /// A closing bracket that does not match: hand on the damaged record and resume at the next
  /// line, at the top level.
  private mutating func recover<Handler: LineHandler>(
    _ chunk: UnsafeRawBufferPointer, at index: Int, pieceStart: Int, into handler: inout Handler
  ) throws {
    if inRecord {
      try gather(chunk, from: pieceStart, to: index + 1)
      try emitRecord(into: &handler)
    }
    stack.removeAll(keepingCapacity: true)
    recordDepth = 0
    resyncAtNewline = true
  }

  private mutating func gather(_ chunk: UnsafeRawBufferPointer, from start: Int, to end: Int) throws {
    partial.append(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
  }

  private mutating func emitRecord<Handler: LineHandler>(into handler: inout Handler) throws {
    if inRecord && recordDepth != 0 { nestedRecords += 1 }
    inRecord = false
    try partial.emit(at: recordPosition, into: &handler)
  }
}
