import Foundation

/// What a finished child process left behind.
public struct ToolResult {
  public var status: Int32
  public var standardOutput: [UInt8]
  public var standardError: String

  public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
}

public struct ToolError: Error, CustomStringConvertible {
  public var description: String
}

/// Runs a real command-line tool (`zstd`, `gzip`, the built `exfilwatch`) and collects its
/// output; standard input comes from `input` (or is empty).
public func runTool(
  _ executable: String, _ arguments: [String], input: [UInt8] = [],
  currentDirectory: String? = nil
) throws -> ToolResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: try resolveExecutable(executable))
  process.arguments = arguments
  if let currentDirectory {
    process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory, isDirectory: true)
  }
  let stdin = Pipe()
  let stdout = Pipe()
  let stderr = Pipe()
  process.standardInput = stdin
  process.standardOutput = stdout
  process.standardError = stderr
  try process.run()
  // Feed and drain concurrently so neither side blocks on a full pipe.
  let writer = Thread {
    stdin.fileHandleForWriting.write(Data(input))
    try? stdin.fileHandleForWriting.close()
  }
  writer.start()
  let errorData = LockedData()
  let errorReader = Thread { errorData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
  errorReader.start()
  let output = stdout.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  while !errorData.isSet { usleep(1000) }
  return ToolResult(
    status: process.terminationStatus,
    standardOutput: [UInt8](output),
    standardError: String(decoding: errorData.value, as: UTF8.self))
}

/// Runs a tool that must succeed and returns its standard output.
public func runToolChecked(_ executable: String, _ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
  let result = try runTool(executable, arguments, input: input)
  guard result.status == 0 else {
    throw ToolError(description: "\(executable) \(arguments) exited \(result.status): \(result.standardError)")
  }
  return result.standardOutput
}

private final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data: Data?
  func set(_ value: Data) { lock.withLock { data = value } }
  var isSet: Bool { lock.withLock { data != nil } }
  var value: Data { lock.withLock { data ?? Data() } }
}

private func resolveExecutable(_ name: String) throws -> String {
  if name.contains("/") { return name }
  let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  for directory in searchPath.split(separator: ":") {
    let candidate = "\(directory)/\(name)"
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  throw ToolError(description: "\(name) is not installed (see README: apt-get install zstd gzip)")
}
