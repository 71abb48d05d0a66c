import ExfilWatchDecoder
import ExfilWatchParser
import ExfilWatchSource
import Glibc

/// Follows files the way `tail -F` does, for `exfilwatch tail`: each round it finds the files
/// its patterns name now (paths, globs, directories), keeps every followed file open, and hands
/// them to a `TimeOrderedMerge` as inputs that start where the last round stopped.
///
/// The rules (those of Fluent Bit's `in_tail`, Vector's file source and `tail -F`; the state
/// file keeps positions by the same identity, device and inode plus the first decoded bytes):
/// - A file is the open descriptor, not its name: renamed by rotation, it is still read to its
///   end, and a new file under the old name is followed from its start.
/// - A file no pattern names any more (rotated away, deleted) is read for `rotateWait` more,
///   then once to its very end (its last line even without a newline), then closed.
/// - A file shorter than where reading got (truncated, copytruncate) is read again from its
///   start. Lines written between the copy and the truncation are lost: that is what
///   copytruncate does; rotation by rename loses nothing.
/// - A file appearing later that a pattern names is read from its start.
public final class FileFollower {
  /// One followed file.
  public struct Followed {
    public var identity: SourceIdentity
    /// Where the next round starts reading.
    public var position: InputPosition
    let source: FileByteSource
    /// When (monotonic seconds) no pattern named it any more.
    var detachedSince: Double?
    /// Read to its very end in the last round: to be closed.
    var finished = false
    /// The format and mapping of the pattern that first named it, if it has its own.
    var parserOptions: ParserOptions?
  }

  public let patterns: [String]
  /// Per pattern, its own format and field mapping (nil: the merge's).
  public let parserOptions: [ParserOptions?]
  public let decoderOptions: DecoderOptions
  /// How long a file no longer named is still followed before its last read.
  public let rotateWait: Double
  public private(set) var followed: [Followed] = []
  /// Files read again from their start because they shrank.
  public private(set) var truncations = 0

  /// - Parameter parserOptions: per pattern, its own format and mapping; none given: the
  ///   merge's for every file.
  public init(
    patterns: [String], parserOptions: [ParserOptions?] = [], decoderOptions: DecoderOptions = DecoderOptions(),
    rotateWait: Double = 5
  ) {
    self.patterns = patterns
    self.parserOptions = parserOptions
    self.decoderOptions = decoderOptions
    self.rotateWait = rotateWait
  }

  /// Looks for files: new ones are opened and start at `startPosition(identity)`; files no
  /// pattern names any more are marked; shrunk files start again.
  ///
  /// - Returns: messages about paths that cannot be read (reported, not fatal: a log directory
  ///   may appear later).
  public func discover(now: Double, startPosition: (SourceIdentity) -> InputPosition) -> [String] {
    var problems: [String] = []
    var named: Set<Int> = []
    for (path, pattern) in Self.expand(patterns, problems: &problems) {
      guard let file = try? FileIdentity(path: path) else { continue }
      if let index = followed.firstIndex(where: { $0.identity.file.isSameFile(as: file) }) {
        named.insert(index)
        followed[index].identity.path = path
        continue
      }
      do {
        let source = try FileByteSource(path: path)
        let opened = try source.identity()
        let fingerprint = try ContentFingerprint(source: source, decoderOptions: decoderOptions)
        let identity = SourceIdentity(path: path, file: opened, fingerprint: fingerprint)
        let own = pattern < parserOptions.count ? parserOptions[pattern] : nil
        followed.append(
          Followed(identity: identity, position: startPosition(identity), source: source, parserOptions: own))
        named.insert(followed.count - 1)
      } catch {
        problems.append("\(path): \(error)")
      }
    }
    for index in followed.indices {
      if named.contains(index) {
        followed[index].detachedSince = nil
      } else if followed[index].detachedSince == nil {
        followed[index].detachedSince = now
      }
      guard let size = try? followed[index].source.identity().size else { continue }
      followed[index].identity.file.size = size
      if let restart = followed[index].position.restart, restart.decoding.unitOffset > size {
        followed[index].position = .start
        truncations += 1
      }
    }
    return problems
  }

  /// The followed files as inputs of this round's merge, in the order of `followed`.
  public func inputs(now: Double) -> [MergeInput] {
    followed.indices.map { index in
      var input = MergeInput(openFile: followed[index].source, start: followed[index].position)
      input.parserOptions = followed[index].parserOptions
      if let since = followed[index].detachedSince, now - since >= rotateWait {
        input.mayGrow = false
        followed[index].finished = true
      }
      return input
    }
  }

  /// Takes the positions a merge of `inputs(now:)` reached, and closes the files read to their
  /// very end.
  public func advance(to positions: [InputPosition?]) {
    for (index, position) in positions.enumerated() where index < followed.count {
      if let position { followed[index].position = position }
      refreshFingerprint(index)
    }
    followed.removeAll { $0.finished }
  }

  /// A file first seen shorter than a full fingerprint gets a longer one once it has grown, so
  /// the state file can tell it from a later file on a reused inode.
  private func refreshFingerprint(_ index: Int) {
    let known = followed[index].identity.fingerprint.prefix.count
    guard known < ContentFingerprint.fullLength, followed[index].identity.file.size > Int64(known),
      (try? followed[index].source.seek(to: 0)) != nil,
      let longer = try? ContentFingerprint(source: followed[index].source, decoderOptions: decoderOptions)
    else { return }
    followed[index].identity.fingerprint = longer
  }

  /// Paths and directories as they are; globs expanded (sorted, as `glob` gives them); each
  /// with the index of the pattern that named it.
  static func expand(_ patterns: [String], problems: inout [String]) -> [(path: String, pattern: Int)] {
    var paths: [(String, Int)] = []
    for (index, pattern) in patterns.enumerated() {
      if pattern.contains(where: { "*?[".contains($0) }) {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(pattern, 0, nil, &matches) == 0 else { continue }
        for match in 0..<Int(matches.gl_pathc) {
          if let path = matches.gl_pathv[match] { paths.append((String(cString: path), index)) }
        }
      } else if access(pattern, F_OK) == 0 {
        do { paths += try InputPaths.expand([pattern]).map { ($0, index) } } catch { problems.append("\(error)") }
      }
    }
    return paths
  }
}
