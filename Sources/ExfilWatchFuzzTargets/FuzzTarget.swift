/// The fuzz targets of the reading stages and of restoring saved state, one function per target,
/// each taking the input bytes.
///
/// They live in the main package, not beside the libFuzzer entry points in `Fuzz/`, so that the
/// ordinary `swift test` replays the kept corpus (`Fuzz/Corpus/<target>/`) through exactly the
/// code the fuzzer ran: a crash found once stays a failing test until it is fixed, without the
/// sanitizer toolchain.
///
/// Each target drives the public API the way the `exfilwatch` commands and the pipeline do.
/// Errors the stages throw are their correct answer to bad input and are caught; what stops a
/// target is a crash in the library, or a `precondition` on a property every input must keep
/// (mostly: the same output whatever the chunk sizes, DESIGN.md's chunk-boundary property).
public enum FuzzTarget {
  /// The targets by the name their corpus folder and fuzzer executable carry. Each returns how
  /// much its stages made of the input (bytes decoded, records framed, events parsed), so a
  /// test can tell that its corpus reaches past the first check.
  public static let all: [String: @Sendable (UnsafeRawBufferPointer) -> Int] = [
    "decode": decode, "frame": frame, "parse": parse, "pipeline": pipeline, "state": state,
  ]

  /// Splits the first byte off an input, as the choice of configuration for the rest: libFuzzer
  /// mutates it like any other byte, so every configuration is reached from every seed.
  static func selector(of bytes: UnsafeRawBufferPointer) -> (selector: UInt8, rest: UnsafeRawBufferPointer) {
    guard let first = bytes.first else { return (0, bytes) }
    return (first, UnsafeRawBufferPointer(rebasing: bytes.dropFirst()))
  }

  /// Calls `body` with `bytes` cut into pieces of `size` bytes (the last one shorter).
  static func forEachChunk(
    of bytes: UnsafeRawBufferPointer, size: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
  ) rethrows {
    var start = 0
    while start < bytes.count {
      let end = min(bytes.count, start + size)
      try body(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
      start = end
    }
  }
}

/// `precondition` that gives its reason in optimised builds too, where `precondition` drops it:
/// the fuzzer's log is all there is to go on when a property breaks.
func expect(_ condition: Bool, _ reason: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
  if !condition { fatalError(reason(), file: file, line: line) }
}
