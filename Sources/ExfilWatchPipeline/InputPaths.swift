import ExfilWatchSource
import Glibc

/// Turns the paths named on a command line into the inputs to read.
///
/// A replay is usually given a directory of archives (`archive/2025/`) rather than thousands of
/// file names, so directories are expanded here, once, before anything is opened: the merge
/// then sees one flat, reproducible list.
public enum InputPaths {
  /// Expands command-line paths into input paths, in the order given.
  ///
  /// - `-` stays: it is standard input.
  /// - A directory is walked recursively. Its files are sorted by path, so daily archives named
  ///   by date come in date order and two runs list the same files in the same order. Hidden
  ///   files and directories (names starting with `.`: editors' swap files, `.git`) are
  ///   skipped. Symbolic links to files are followed; links to directories are not, so a link
  ///   cycle cannot make the walk endless. Other special files inside a directory (sockets,
  ///   pipes) are skipped.
  /// - Anything else stays as given: a file, a named pipe, `/dev/stdin`, a hidden file named
  ///   explicitly.
  ///
  /// - Throws: `PipelineError` naming the first path (or, inside a directory, the first entry)
  ///   that does not exist or cannot be examined, such as a link to a deleted file.
  public static func expand(_ paths: [String]) throws(PipelineError) -> [String] {
    var expanded: [String] = []
    for path in paths {
      if path != "-", try kind(of: path, followingLinks: true) == .directory {
        expanded += try files(under: path)
      } else {
        expanded.append(path)
      }
    }
    return expanded
  }

  /// `paths` without the ones that name a file named before (a file given twice, or inside a
  /// directory also given, or a hard link): read twice, its events would count twice, and a
  /// state file could keep only one position for it.
  public static func distinctFiles(_ paths: [String]) -> [String] {
    var seen: Set<FileIdentity.Location> = []
    return paths.filter { path in
      guard path != "-", let file = try? FileIdentity(path: path) else { return true }
      return seen.insert(file.location).inserted
    }
  }

  private enum Kind {
    case file, directory, symbolicLink, other
  }

  /// The regular files below `directory` (following links to files), sorted by path.
  private static func files(under directory: String) throws(PipelineError) -> [String] {
    var files: [String] = []
    var unvisited = [directory]
    while let current = unvisited.popLast() {
      let prefix = current.hasSuffix("/") ? current : current + "/"
      for name in try entryNames(of: current) where !name.hasPrefix(".") {
        let path = prefix + name
        switch try kind(of: path, followingLinks: false) {
        case .directory: unvisited.append(path)
        case .file: files.append(path)
        case .symbolicLink where try kind(of: path, followingLinks: true) == .file: files.append(path)
        case .symbolicLink, .other: break
        }
      }
    }
    return files.sorted()
  }

  private static func kind(of path: String, followingLinks: Bool) throws(PipelineError) -> Kind {
    var status = stat()
    let result = followingLinks ? stat(path, &status) : lstat(path, &status)
    guard result == 0 else {
      let error = errno
      if error == ENOENT || error == ENOTDIR { throw .missingInput(path: path) }
      throw .unreadableInput(path: path, errno: error)
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    case S_IFLNK: return .symbolicLink
    default: return .other
    }
  }

  /// The names in `directory`, `.` and `..` included (they are hidden, so skipped by the caller).
  private static func entryNames(of directory: String) throws(PipelineError) -> [String] {
    guard let stream = opendir(directory) else {
      throw .unreadableInput(path: directory, errno: errno)
    }
    defer { closedir(stream) }
    var names: [String] = []
    errno = 0  // readdir returns nil both at the end and on error; only errno tells them apart
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
        String(cString: bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
      }
      names.append(name)
    }
    guard errno == 0 else { throw .unreadableInput(path: directory, errno: errno) }
    return names
  }
}
