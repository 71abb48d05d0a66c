import ArgumentParser
import ExfilWatchDecoder
import ExfilWatchSource

/// The options every command that reads inputs shares.
struct InputOptions: ParsableArguments {
  @Argument(help: "Inputs to read; '-' is standard input.")
  var paths: [String] = ["-"]

  @Option(help: "Largest zstd window to accept, in bytes (suffixes K, M, G); bigger frames are refused.")
  var maxWindow = ByteCount(bytes: DecoderOptions.defaultMaxWindowBytes)

  func validate() throws {
    guard maxWindow.bytes >= 1 << 10 else {
      throw ValidationError("--max-window must be at least 1K.")
    }
  }

  var decoderOptions: DecoderOptions { DecoderOptions(maxWindowBytes: maxWindow.bytes) }

  /// The name an input has in messages and evidence.
  func displayName(_ path: String) -> String {
    path == "-" ? "<stdin>" : path
  }

  /// Calls `body` with each decoded chunk of the finished input at `path`.
  ///
  /// - Throws: `SourceError` or `DecodeError` (naming the input and offset), or what `body` throws.
  func forEachDecodedChunk(
    of path: String, _ body: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    let source = try FileByteSource(path: path)
    let decoder = StreamDecoder(source: source, options: decoderOptions)
    while let chunk = try decoder.nextChunk() {
      try body(chunk)
    }
  }
}
