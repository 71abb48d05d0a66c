import ExfilWatchParser
import ExfilWatchSource
import Glibc
import SystemPackage

/// One input of a `TimeOrderedMerge`: a file, which can be opened again, or a stream of bytes
/// that can be read only once (standard input, a pipe, bytes in memory).
///
/// The difference decides how the merge finds out when an input starts: a file is opened to
/// read its first event and closed again until the merge gets there, so thousands of archives
/// never hold thousands of descriptors and decoders at once; a read-once input stays open from
/// that first look to its end, since what was read from it cannot be read again.
public struct MergeInput {
  private enum Origin {
    case file(path: String, canReopen: Bool)
    case readOnce(any ByteSource)
    /// A file kept open by its follower (so a rotated file can be read to its end under any
    /// name), read again by seeking.
    case openFile(FileByteSource)
  }

  private let origin: Origin
  /// The input's name in events' origins, rejects, reports and messages: the path as given, or
  /// `<stdin>` for `-`.
  public let name: String
  /// Where reading starts: where an earlier run stopped (a file only), or the start.
  public var start = InputPosition.start
  /// The file this input was when its start was chosen: opening a path that names another
  /// file by then (rotated during a long scan) fails, so the position is not applied to the
  /// wrong file; the next run reads both.
  public var expectedFile: FileIdentity?
  /// Whether this input may still grow, when it differs from the merge's `inputsMayGrow` (a
  /// followed file that was rotated away is read to its very end).
  public var mayGrow: Bool?
  /// The input's own format and field mapping, when it differs from the merge's (a config
  /// file's inputs of several platforms).
  public var parserOptions: ParserOptions?

  /// The input at `path`; `-` is standard input.
  ///
  /// Only a regular file can be opened twice and read the same; anything else (`-`, a named
  /// pipe, `<(zstdcat …)` passed as `/dev/fd/63`) is read once. A path that cannot be examined
  /// now is taken as a file: opening it reports the error.
  public init(path: String) {
    if path == "-" {
      self.init(readOnce: FileByteSource(standardInput: ()))
      return
    }
    let isSpecial = (try? FileIdentity(path: path)).map { !$0.isRegularFile } ?? false
    self.init(origin: .file(path: path, canReopen: !isSpecial), name: path)
  }

  /// An input read once from `source` (named by `source.name`), from its current position.
  public init(readOnce source: any ByteSource) {
    self.init(origin: .readOnce(source), name: source.name)
  }

  /// A file that stays open between runs of the merge (`exfilwatch tail`): each opening seeks
  /// it to where reading starts.
  public init(openFile source: FileByteSource, start: InputPosition) {
    self.init(origin: .openFile(source), name: source.name)
    self.start = start
  }

  private init(origin: Origin, name: String) {
    self.origin = origin
    self.name = name
  }

  /// Whether the input can be opened again and read from its start.
  var canReopen: Bool {
    switch origin {
    case .file(_, let canReopen): canReopen
    case .readOnce: false
    case .openFile: true
    }
  }

  /// Opens the input at `position`'s restart point; a read-once input's source itself.
  func open(at position: InputPosition) throws(SourceError) -> any ByteSource {
    let offset = position.restart?.decoding.unitOffset ?? 0
    switch origin {
    case .file(let path, _):
      let source = try FileByteSource(path: path)
      if let expectedFile, try !source.identity().isSameFile(as: expectedFile) {
        throw SourceError(name: path, operation: .open, errno: Errno(rawValue: ESTALE))
      }
      if offset > 0 { try source.seek(to: offset) }
      return source
    case .openFile(let source):
      try source.seek(to: offset)
      return source
    case .readOnce(let source):
      return source
    }
  }
}
