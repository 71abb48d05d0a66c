/// A CSV input read row by row: the first row is the header, which names the columns; every
/// later row is checked against it (same number of fields, not the header again) and its
/// wanted columns are handed to the format parser as field values.
///
/// The table knows the columns its format wants, so one mutating call reads a row and fills
/// the values: the format parser never reads the table apart, which copied it (and retained
/// its buffers) per row. The CSV parsers that hold a table are classes, so that it is updated
/// in place record after record, not moved out of the parser's enum and back; it is exempt
/// from dynamic exclusivity checks there (used for every record, by one thread, never
/// re-entered).
struct CSVTable {
  private var fields = CSVFields()
  /// The header's fields; empty until the header is read (a header has at least one field).
  private var headerBytes: [[UInt8]] = []
  /// The names of the columns wanted, one per field (nil: a field no column gives).
  private let wantedNames: [String?]
  /// The column of each wanted name (compared ignoring case), once the header is read; -1
  /// where the header has no such column.
  private var columns: [Int] = []

  init(columnNames: [String?]) {
    wantedNames = columnNames
  }

  /// Splits `record` and, for a row of data, puts the wanted columns into `context.values` as
  /// string fields; returns false for the header row and blank lines, which give no event.
  ///
  /// - Throws: `.invalidUTF8`, `.badCSV`, `.tooManyFields` (more than `maxFields` columns; a
  ///   header with that many is refused too, and the next row is taken as the header),
  ///   `.repeatedHeader` (a row equal to the header) or `.wrongColumnCount`.
  mutating func read(_ record: UnsafeRawBufferPointer, into context: ParseContext) throws(RejectReason) -> Bool {
    guard !record.isEmpty else { return false }
    guard isValidUTF8(record) else { throw .invalidUTF8 }
    guard fields.split(record) else { throw .badCSV }
    guard fields.count <= context.maxFields else { throw .tooManyFields }
    guard !headerBytes.isEmpty else {
      headerBytes = (0..<fields.count).map { Array(fields.field($0)) }
      let names = headerBytes.map { String(decoding: $0, as: UTF8.self).uppercased() }
      columns = wantedNames.map { name in name.flatMap { names.firstIndex(of: $0.uppercased()) } ?? -1 }
      return false
    }
    if fields.count == headerBytes.count
      && (0..<fields.count).allSatisfy({ fields.field($0).elementsEqual(headerBytes[$0]) })
    {
      throw .repeatedHeader
    }
    guard fields.count == headerBytes.count else { throw .wrongColumnCount }
    fill(context)
    return true
  }

  /// Puts the row's wanted columns into `context.values` as string fields.
  ///
  /// The row has the header's column count (checked by `read`), so every column is in range:
  /// the fields are read through `CSVFields.all` without a check per field, and every slot is
  /// written in place, with no append.
  private func fill(_ context: ParseContext) {
    if context.values.count != columns.count {
      context.values = Array(repeating: nil, count: columns.count)
    }
    let row = fields.all
    columns.withUnsafeBufferPointer { columns in
      context.values.withUnsafeMutableBufferPointer { values in
        for slot in columns.indices {
          let column = columns[slot]
          values[slot] = column >= 0 ? FieldValue(kind: .string, text: row[column]) : nil
        }
      }
    }
  }
}
