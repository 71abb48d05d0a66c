import ExfilWatchSinks
import Testing

@Suite("syslog settings")
struct SyslogSettingsTests {
  @Test("transports parse from udp://, tcp:// and unix:// and print back the same", arguments: [
    ("udp://127.0.0.1:514", SyslogTransport.udp(host: "127.0.0.1", port: 514)),
    ("tcp://syslog.example.com:6514", .tcp(host: "syslog.example.com", port: 6514)),
    ("udp://[::1]:5514", .udp(host: "::1", port: 5514)),
    ("tcp://[2001:db8::7]:65535", .tcp(host: "2001:db8::7", port: 65535)),
    ("unix:///dev/log", .unix(path: "/dev/log")),
  ])
  func transports(text: String, transport: SyslogTransport) throws {
    #expect(try SyslogTransport(parsing: text) == transport)
    #expect(transport.description == text)
  }

  @Test("a bad transport is refused with what is wrong", arguments: [
    ("127.0.0.1:514", "no scheme"),
    ("http://127.0.0.1:514", "unknown scheme 'http'"),
    ("tcp://127.0.0.1", "no port"),
    ("tcp://127.0.0.1:", "no port"),
    ("udp://[::1]", "no port"),
    ("udp://:514", "no host"),
    ("udp://host:0", "the port must be a number from 1 to 65535"),
    ("udp://host:65536", "the port must be a number from 1 to 65535"),
    ("udp://host:+514", "the port must be a number from 1 to 65535"),
    ("udp://host:514/x", "the port must be a number from 1 to 65535"),
    ("udp://host/x:514", "the host is not a name or an address"),
    ("udp://::1:514", "an IPv6 address must be in brackets: [::1]:514"),
    ("udp://[::1:514", "no ']' after the IPv6 address"),
    ("unix://dev/log", "unix needs an absolute socket path"),
    ("unix:///" + String(repeating: "d", count: 107), "the socket path is longer than 107 bytes"),
  ])
  func badTransports(text: String, problem: String) {
    let error = #expect(throws: SyslogConfigurationError.self) { try SyslogTransport(parsing: text) }
    #expect(error == SyslogConfigurationError(setting: "transport", text: text, problem: problem))
    #expect(error?.description == "invalid syslog transport '\(text)': \(problem); expected one of: udp://HOST:PORT, tcp://HOST:PORT, unix:///PATH")
  }

  @Test("facilities by their syslog.conf names; the defaults")
  func facilitiesAndFormats() throws {
    #expect(try SyslogFacility(parsing: "authpriv") == .authpriv)
    #expect(try SyslogFacility(parsing: "local7").rawValue == 23)
    #expect(try SyslogFacility(parsing: "kern").rawValue == 0)
    let error = try #require(throws: SyslogConfigurationError.self) { try SyslogFacility(parsing: "local8") }
    #expect(error.description.hasPrefix("invalid syslog facility 'local8': unknown facility; expected one of: kern, user,"))
    let options = SyslogOptions(transport: .unix(path: "/dev/log"))
    #expect(options.facility == .authpriv && options.format == .rfc5424)
    #expect(options.maxMessageBytes == 8192 && options.appName == "exfilwatch")
  }
}
