import Glibc

/// Why a simulation could not be written.
public enum SimulationError: Error, Equatable, CustomStringConvertible {
  /// The options cannot be simulated (`SimulationOptions.problem`).
  case invalidOptions(String)
  case cannotCreateDirectory(path: String, errno: Int32)
  case cannotCreate(path: String, errno: Int32)
  case cannotWrite(path: String, errno: Int32)
  /// libzstd refused (its own explanation).
  case compression(path: String, message: String)
  /// No agent in the workforce can play the attack's victim (too few agents on shift).
  case cannotStage(scenario: String, reason: String)

  public var description: String {
    switch self {
    case .invalidOptions(let problem):
      return problem
    case .cannotCreateDirectory(let path, let code):
      return "\(path): cannot create the directory: \(Self.explain(code))"
    case .cannotCreate(let path, let code):
      return "\(path): cannot create the file: \(Self.explain(code))"
    case .cannotWrite(let path, let code):
      return "\(path): cannot write: \(Self.explain(code))"
    case .compression(let path, let message):
      return "\(path): zstd compression failed: \(message)"
    case .cannotStage(let scenario, let reason):
      return "cannot stage \(scenario): \(reason)"
    }
  }

  private static func explain(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}
