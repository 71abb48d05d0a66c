import ArgumentParser

/// A size given on the command line: `1048576`, `512K`, `1M`, `128MiB`, `2G` (powers of 1024).
struct ByteCount: ExpressibleByArgument, CustomStringConvertible {
  var bytes: Int

  /// The largest length limit accepted (1 GiB): a limit is memory that may be held.
  static let largestLimit = 1 << 30

  init(bytes: Int) {
    self.bytes = bytes
  }

  init?(argument: String) {
    let digits = argument.prefix { $0.isASCII && $0.isNumber }
    let suffix = argument.dropFirst(digits.count).uppercased()
    let shifts: [String: Int] = ["": 0, "B": 0, "K": 10, "KB": 10, "KIB": 10, "M": 20, "MB": 20,
                                 "MIB": 20, "G": 30, "GB": 30, "GIB": 30]
    guard let value = Int(digits), let shift = shifts[suffix],
          value <= Int.max >> shift else { return nil }
    bytes = value << shift
  }

  var description: String {
    for (shift, unit) in [(30, "G"), (20, "M"), (10, "K")] where bytes >= 1 << shift {
      if bytes % (1 << shift) == 0 { return "\(bytes >> shift)\(unit)" }
    }
    return "\(bytes)"
  }

  var defaultValueDescription: String { description }
}
