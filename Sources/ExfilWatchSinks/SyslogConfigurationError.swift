/// A syslog setting (transport, facility, format) the user wrote that cannot be used, with
/// what is wrong, so the CLI can reject it before the run reads any input.
public struct SyslogConfigurationError: Error, Equatable, CustomStringConvertible {
  /// Which setting: `transport`, `facility`, `format`.
  public var setting: String
  /// The value as given.
  public var text: String
  /// What is wrong with it, and what would be accepted.
  public var problem: String

  public init(setting: String, text: String, problem: String) {
    self.setting = setting
    self.text = text
    self.problem = problem
  }

  public var description: String {
    let forms = setting == "transport" ? "; expected one of: " + SyslogTransport.acceptedForms.joined(separator: ", ") : ""
    return "invalid syslog \(setting) '\(text)': \(problem)\(forms)"
  }
}
