import Foundation

/// Writes metrics for node_exporter's textfile collector (or anything that reads a file):
/// the whole exposition goes to a temporary file beside the target, which is then renamed
/// over it, so a reader sees the old metrics or the new, never half of either.
public struct MetricsFile: Sendable {
  public let path: String

  public init(path: String) {
    self.path = path
  }

  /// Replaces the file's content with `bytes`.
  ///
  /// - Throws: `MetricsFileError` naming the file and the system's reason.
  public func write(_ bytes: [UInt8]) throws(MetricsFileError) {
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].map { "\($0)" } ?? error.localizedDescription
      throw MetricsFileError(path: path, reason: reason)
    }
  }
}

/// The metrics file could not be written.
public struct MetricsFileError: Error, CustomStringConvertible {
  public var path: String
  public var reason: String

  public var description: String { "metrics file \(path): \(reason)" }
}
