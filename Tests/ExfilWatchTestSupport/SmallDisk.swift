import Foundation

/// Runs a command with a directory on a real, small file system, so a test sees the errors a
/// full disk gives (`ENOSPC` mid-write, after some bytes went in), not a simulation of them.
///
/// The file system is a tmpfs of `bytes`, mounted in a mount namespace of its own (`unshare
/// -rm`: no root needed where user namespaces are allowed, and nothing is left mounted if the
/// test dies). Where no namespace can be made, the command runs under `ulimit -f` instead,
/// which fails writes past the size with `EFBIG` for every file the command writes.
///
/// What the command left on the small disk is copied to `afterwards` when it ends (the tmpfs
/// goes with the namespace), so the test can read it.
public struct SmallDisk {
  /// Where the small file system is mounted, for the command's arguments.
  public let path: String
  /// Where its files are copied when the command has ended.
  public let afterwards: String
  public let bytes: Int

  public enum Kind: Equatable, Sendable {
    /// A tmpfs of the size: one limit for all files on it.
    case fileSystem
    /// `ulimit -f`: a limit per file, for every file the command writes.
    case fileSizeLimit
  }

  public static let kind: Kind = {
    let probe = try? runTool("/usr/bin/unshare", ["-rm", "/bin/sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp && echo ok"])
    return probe?.status == 0 && probe?.outputText.contains("ok") == true ? .fileSystem : .fileSizeLimit
  }()

  /// - Parameters:
  ///   - directory: A directory of the test's own; the disk is `small-disk` in it.
  ///   - bytes: The file system's size (a multiple of the 4 KiB page).
  public init(in directory: TemporaryDirectory, bytes: Int) throws {
    path = directory.path("small-disk")
    afterwards = directory.path("small-disk-afterwards")
    self.bytes = bytes
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: afterwards, withIntermediateDirectories: true)
  }

  /// Runs `executable` with `arguments` while the disk holds a file of `filler` bytes (the
  /// rest of the disk is what the command may write), then copies the disk's files.
  public func run(_ executable: String, _ arguments: [String], filler: Int = 0, files: [String: [UInt8]] = [:]) throws -> ToolResult {
    let prepare = files.keys.sorted().map { "cp \"$STAGED/\($0)\" \"$DISK/\($0)\"" }.joined(separator: "\n")
    let staged = afterwards + "-staged"
    try FileManager.default.createDirectory(atPath: staged, withIntermediateDirectories: true)
    for (name, content) in files { try Data(content).write(to: URL(fileURLWithPath: staged + "/" + name)) }
    let script = """
      set -e
      DISK="\(path)"; STAGED="\(staged)"; AFTERWARDS="\(afterwards)"
      \(Self.kind == .fileSystem ? "mount -t tmpfs -o size=\(bytes) tmpfs \"$DISK\"" : "")
      \(prepare)
      \(filler > 0 ? "head -c \(filler) /dev/zero > \"$DISK/filler\"" : "")
      \(Self.kind == .fileSizeLimit ? "ulimit -f \(bytes / 512)" : "")
      status=0
      "$@" || status=$?
      for file in "$DISK"/*; do [ "$file" = "$DISK/filler" ] || cp -p "$file" "$AFTERWARDS/"; done
      exit $status
      """
    let shell = ["/bin/sh", "-c", script, "small-disk", try resolve(executable)] + arguments
    return Self.kind == .fileSystem
      ? try runTool("/usr/bin/unshare", ["-rm"] + shell)
      : try runTool(shell[0], Array(shell.dropFirst()))
  }

  /// A file the command left on the disk, as it was when the command ended.
  public func contents(_ name: String) -> [UInt8]? {
    FileManager.default.contents(atPath: afterwards + "/" + name).map { Array($0) }
  }

  private func resolve(_ executable: String) throws -> String {
    executable.contains("/") ? executable : try runTool("/bin/sh", ["-c", "command -v \(executable)"]).outputText
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
