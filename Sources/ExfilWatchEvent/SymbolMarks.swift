/// The symbols still held, gathered from everything that holds symbols, for
/// `SymbolTable.sweep(keeping:)`: one bit per symbol number.
public struct SymbolMarks {
  private var words: [UInt64]

  /// Room for the symbols of a table of `symbolCount` numbers (`SymbolTable.count`).
  public init(symbolCount: Int) {
    words = Array(repeating: 0, count: (symbolCount + 1 + 63) / 64)
  }

  /// Marks `symbol` as held. Numbers past the table (sentinels such as a breakdown's "other")
  /// name no symbol and are ignored.
  public mutating func mark(_ symbol: Symbol) {
    let number = Int(symbol.rawValue)
    guard number < words.count * 64 else { return }
    words[number >> 6] |= 1 << UInt64(number & 63)
  }

  /// Marks every symbol an event holds.
  public mutating func mark(_ event: AccessEvent) {
    for symbol in [event.actor, event.actorID, event.client, event.sourceIP, event.object, event.session, event.tenant] {
      mark(symbol)
    }
    mark(event.origin.input)
  }

  /// Calls `body` with each marked symbol number, in order, while it returns true; false if
  /// it returned false.
  func allMarked(_ body: (Int) -> Bool) -> Bool {
    for (index, word) in words.enumerated() where word != 0 {
      var rest = word
      while rest != 0 {
        guard body(index * 64 + rest.trailingZeroBitCount) else { return false }
        rest &= rest - 1
      }
    }
    return true
  }

  public func contains(_ symbol: Symbol) -> Bool {
    let number = Int(symbol.rawValue)
    return number < words.count * 64 && words[number >> 6] & (1 << UInt64(number & 63)) != 0
  }
}
