import Foundation

/// The `exfilwatch` binary built alongside the tests (test targets depend on it, so SwiftPM
/// builds it into the same products directory as the test bundle).
public var exfilwatchExecutable: String {
  let bundleDirectory = Bundle.main.bundleURL.deletingLastPathComponent()
  let candidates = [
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
    Bundle.main.bundleURL, bundleDirectory,
  ]
  for directory in candidates {
    let path = directory.appendingPathComponent("exfilwatch").path
    if FileManager.default.isExecutableFile(atPath: path) { return path }
  }
  return candidates[0].appendingPathComponent("exfilwatch").path
}
