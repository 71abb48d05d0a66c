/// A CSV input read row by row: the first row is the header, which names the columns; every
/// later row is checked against it (same number of fields, not the header again) and its
/// wanted columns are handed to the format parser as field values.
struct CSVTable {
  private var fields = CSVFields()
  /// The header's names, upper-cased.
  private(set) var header: [String]?
  private var headerBytes: [[UInt8]] = []

  /// Splits `record`; returns false for the header row and blank lines, which give no event.
  ///
  /// - Throws: `.invalidUTF8`, `.badCSV`, `.tooManyFields` (more than `maxFields` columns; a
  ///   header with that many is refused too, and the next row is taken as the header),
  ///   `.repeatedHeader` (a row equal to the header) or `.wrongColumnCount`.
  mutating func read(_ record: UnsafeRawBufferPointer, maxFields: Int) throws(RejectReason) -> Bool {
    guard !record.isEmpty else { return false }
    guard isValidUTF8(record) else { throw .invalidUTF8 }
    guard fields.split(record) else { throw .badCSV }
    guard fields.count <= maxFields else { throw .tooManyFields }
    guard header != nil else {
      headerBytes = (0..<fields.count).map { Array(fields.field($0)) }
      header = headerBytes.map { String(decoding: $0, as: UTF8.self).uppercased() }
      return false
    }
    if fields.count == headerBytes.count
      && (0..<fields.count).allSatisfy({ fields.field($0).elementsEqual(headerBytes[$0]) })
    {
      throw .repeatedHeader
    }
    guard fields.count == headerBytes.count else { throw .wrongColumnCount }
    return true
  }

  /// The columns named `names` (compared ignoring case), in order; nil where absent.
  func columns(named names: [String?]) -> [Int?] {
    names.map { name in name.flatMap { header?.firstIndex(of: $0.uppercased()) } }
  }

  /// Puts the row's `columns` into `context.values` as string fields.
  func fill(_ context: ParseContext, columns: [Int?]) {
    if context.values.count != columns.count {
      context.values = Array(repeating: nil, count: columns.count)
    }
    // Every slot is written in place: no append (and its capacity check) per field.
    context.values.withUnsafeMutableBufferPointer { values in
      for (slot, column) in columns.enumerated() {
        values[slot] = column.map { FieldValue(kind: .string, text: fields.field($0)) }
      }
    }
  }
}
