import Glibc

/// log1p of a window's volume, the scale windows are judged on: read from a table for the
/// small counts most windows hold. Every active key's window is judged at every hop (millions
/// of windows in a month of a large org's logs), and `log1p` itself was a twentieth of the
/// detector's time; the table holds `log1p`'s own values, so the results are the same.
enum LogVolume {
  /// Counts below this are looked up (32 KiB of table).
  static let tabulated = 4_096

  private static let table: [Double] = (0..<tabulated).map { log1p(Double($0)) }

  @inline(__always)
  static func of(_ count: Int64) -> Double {
    (0..<Int64(tabulated)).contains(count) ? table[Int(count)] : log1p(Double(count))
  }
}
