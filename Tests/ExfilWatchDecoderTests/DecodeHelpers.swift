import ExfilWatchDecoder
import ExfilWatchSource
import ExfilWatchTestSupport

/// Decodes a finished input to the end and returns all decoded bytes.
func decodeAll(_ source: any ByteSource, options: DecoderOptions = DecoderOptions()) throws -> [UInt8] {
  let decoder = StreamDecoder(source: source, options: options)
  var decoded: [UInt8] = []
  while let chunk = try decoder.nextChunk() {
    decoded.append(contentsOf: chunk)
  }
  return decoded
}

func decodeFile(_ path: String, options: DecoderOptions = DecoderOptions()) throws -> [UInt8] {
  try decodeAll(try FileByteSource(path: path), options: options)
}

/// Decodes until the decoder throws, and returns the error (nil if it never threw).
func decodeError(_ path: String, options: DecoderOptions = DecoderOptions()) throws -> DecodeError? {
  do {
    _ = try decodeFile(path, options: options)
    return nil
  } catch let error as DecodeError {
    return error
  }
}

/// Compresses `bytes` with a real command-line tool (`zstd`, `gzip`, `pzstd`) reading stdin.
func compress(_ tool: String, _ arguments: [String], _ bytes: [UInt8]) throws -> [UInt8] {
  try runToolChecked(tool, arguments + ["-c"], input: bytes)
}
