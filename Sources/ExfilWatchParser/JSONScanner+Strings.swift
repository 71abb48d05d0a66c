import CByteScan

extension JSONScanner {
  /// Scans a string starting at its opening quote; leaves `index` after the closing quote.
  ///
  /// Sixteen bytes are compared at a time with the quote and with the backslash, giving a bit
  /// mask of each from one load (`cbytescan_pair16`). A block without backslashes ends the
  /// string at its first quote, if it has one. In a block whose backslashes stand alone (no
  /// two side by side), the escaped bytes are the ones after them, so the quotes that end
  /// the string are the others, all told at once: the `Records` value of a Salesforce event
  /// (JSON text in a string) has an escaped quote every few bytes, each stepped over one by
  /// one before. Backslashes side by side (`\\`) go that way still, bit by bit. The last
  /// bytes of the record, fewer than sixteen, are read one by one. In line in its two
  /// callers (a key, a value): a call per string was some 5% of parsing an sf-rtem event.
  /// Positions are within the record (or two past it), far from overflowing: they are added
  /// without overflow checks, some five per string.
  @inline(__always)
  mutating func scanString() throws(JSONSyntaxError) -> JSONValue {
    let start = index &+ 1
    var position = start
    while position &+ 16 <= count {
      let masks = cbytescan_pair16(base + position, 0x22, 0x5C)
      guard masks >> 32 == 0 else { return try scanEscapedString(from: start, block: position) }
      let quotes = UInt32(truncatingIfNeeded: masks)
      if quotes != 0 {
        let end = position &+ quotes.trailingZeroBitCount
        index = end &+ 1
        return JSONValue(kind: .string, start: start, end: end)
      }
      position &+= 16
    }
    return try scanEscapedString(from: start, block: position)
  }

  /// The rest of `scanString` from the block at `block` on, which has a backslash or is the
  /// record's last bytes (fewer than sixteen): not in line, so that the common string stays
  /// short where it is scanned.
  @inline(never)
  private mutating func scanEscapedString(from start: Int, block: Int) throws(JSONSyntaxError) -> JSONValue {
    var position = block
    var hasEscapes = false
    while position &+ 16 <= count {
      let masks = cbytescan_pair16(base + position, 0x22, 0x5C)
      let quotes = UInt32(truncatingIfNeeded: masks)
      let backslashes = UInt32(truncatingIfNeeded: masks >> 32)
      if backslashes & (backslashes << 1) == 0 {
        // Each backslash escapes the byte after it (bit 16: the next block's first byte).
        let escaped = backslashes << 1
        let closing = quotes & ~escaped
        if closing != 0 {
          let offset = closing.trailingZeroBitCount
          index = position &+ offset &+ 1
          // Backslashes after the closing quote are not the string's.
          let escapesBefore = backslashes & ((1 << UInt32(truncatingIfNeeded: offset)) &- 1) != 0
          return JSONValue(
            kind: .string, start: start, end: position &+ offset, hasEscapes: hasEscapes || escapesBefore)
        }
        hasEscapes = hasEscapes || backslashes != 0
        position &+= escaped & 0x1_0000 != 0 ? 17 : 16
        continue
      }
      var mask = quotes | backslashes
      // Where the next block starts: past an escaped byte that is the next block's first.
      var next = 16
      while mask != 0 {
        let offset = mask.trailingZeroBitCount
        if base[position &+ offset] == 0x22 {
          index = position &+ offset &+ 1
          return JSONValue(kind: .string, start: start, end: position &+ offset, hasEscapes: hasEscapes)
        }
        // The backslash and the escaped byte (a \uXXXX's digits need no care).
        hasEscapes = true
        next = max(next, offset &+ 2)
        mask &= ~0 << (offset &+ 2)
      }
      position &+= next
    }
    if position < count && count >= 16 {
      // The record's last bytes, fewer than sixteen: its last sixteen, the bytes before
      // `position` shifted off, told as a block is (backslashes side by side go on below).
      let shift = UInt32(truncatingIfNeeded: position &- (count &- 16))
      let masks = cbytescan_pair16(base + (count &- 16), 0x22, 0x5C)
      let quotes = UInt32(truncatingIfNeeded: masks) >> shift
      let backslashes = UInt32(truncatingIfNeeded: masks >> 32) >> shift
      if backslashes & (backslashes << 1) == 0 {
        let closing = quotes & ~(backslashes << 1)
        guard closing != 0 else { throw JSONSyntaxError(offset: count) }
        let offset = closing.trailingZeroBitCount
        index = position &+ offset &+ 1
        let escapesBefore = backslashes & ((1 << UInt32(truncatingIfNeeded: offset)) &- 1) != 0
        return JSONValue(
          kind: .string, start: start, end: position &+ offset, hasEscapes: hasEscapes || escapesBefore)
      }
    }
    while true {
      while position < count && base[position] != 0x22 && base[position] != 0x5C { position &+= 1 }
      guard position < count else { throw JSONSyntaxError(offset: count) }
      if base[position] == 0x22 {
        index = position &+ 1
        return JSONValue(kind: .string, start: start, end: position, hasEscapes: hasEscapes)
      }
      hasEscapes = true
      position &+= 2
    }
  }
}
