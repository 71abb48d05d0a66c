import ExfilWatchDecoder
import ExfilWatchEvent
import ExfilWatchSource

/// The first decoded bytes of a file, which tell whether a file met again is the one read
/// before: device and inode survive renames (rotation) but are reused after a delete, and a
/// file recompressed after rotation (`app.log.1` → `app.log.2.gz`) has a new inode but the same
/// content. Like Vector's and Fluent Bit's file sources, a run compares both.
///
/// Decoded content, not stored bytes: the same log compressed twice differs in its bytes.
public struct ContentFingerprint: Sendable, Equatable {
  /// How many leading decoded bytes a fingerprint covers when the file has that many.
  public static let fullLength = 1024

  /// The file's first decoded bytes, at most `fullLength`.
  public let prefix: [UInt8]
  /// How the file is stored (`nil` for an empty file).
  public let codec: Codec?

  /// Reads the start of the file at `path`. A file that stops inside its first frame yields
  /// what could be decoded.
  public init(path: String, decoderOptions: DecoderOptions = DecoderOptions()) throws {
    try self.init(source: try FileByteSource(path: path), decoderOptions: decoderOptions)
  }

  /// Reads the start of `source` from where it stands (the start of an open file).
  public init(source: any ByteSource, decoderOptions: DecoderOptions = DecoderOptions()) throws {
    let decoder = StreamDecoder(source: source, options: decoderOptions)
    var prefix: [UInt8] = []
    reading: while prefix.count < Self.fullLength {
      switch try decoder.poll() {
      case .data(let chunk): prefix += chunk.prefix(Self.fullLength - prefix.count)
      case .endOfInput, .unfinishedUnit: break reading
      }
    }
    self.prefix = prefix
    codec = decoder.codec
  }

  /// The hash of the first `length` bytes; `nil` when the file has fewer.
  public func hash(ofFirst length: Int) -> UInt64? {
    guard length <= prefix.count else { return nil }
    return prefix.withUnsafeBytes { ByteChecksum.of(UnsafeRawBufferPointer(rebasing: $0[..<length])) }
  }

  /// The hash of all of `prefix`.
  public var hash: UInt64 { hash(ofFirst: prefix.count)! }
}

/// A file as a run knows it: the name it was read under, what it is (device, inode, size), and
/// its first decoded bytes. What the state file keeps a position for.
public struct SourceIdentity: Sendable {
  public var path: String
  public var file: FileIdentity
  public var fingerprint: ContentFingerprint

  public init(path: String, file: FileIdentity, fingerprint: ContentFingerprint) {
    self.path = path
    self.file = file
    self.fingerprint = fingerprint
  }

  /// The identity of the regular file at `path` now; `nil` if it cannot be examined (the merge
  /// then reports why) or is not a regular file (a pipe's bytes, once read for a fingerprint,
  /// would be gone, and it cannot be read again anyway).
  public init?(path: String, decoderOptions: DecoderOptions) {
    guard let file = try? FileIdentity(path: path), file.isRegularFile,
      let fingerprint = try? ContentFingerprint(path: path, decoderOptions: decoderOptions)
    else { return nil }
    self.init(path: path, file: file, fingerprint: fingerprint)
  }
}
