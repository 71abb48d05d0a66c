import Glibc

/// One address a syslog transport can connect to: what `socket()` and `connect()` need, and
/// the address as text for failure reasons.
struct SocketAddress {
  var family: Int32
  var type: Int32
  var protocolNumber: Int32
  var storage: sockaddr_storage
  var length: socklen_t
  /// `127.0.0.1:5514`, `[::1]:514`, `/dev/log`.
  var text: String

  /// Every address `host` resolves to for sockets of `type` (`SOCK_DGRAM`, `SOCK_STREAM`), in
  /// the order `getaddrinfo` gives (the system's preference, RFC 6724), so a caller tries them
  /// in turn: `localhost` may be `::1` first where only `127.0.0.1` listens.
  ///
  /// A name lookup blocks for as long as the system's resolver takes; the send's timeout does
  /// not cover it.
  static func resolve(host: String, port: UInt16, type: Int32) throws(SocketFailure) -> [SocketAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = type
    hints.ai_flags = AI_NUMERICSERV
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let list else {
      let detail = status == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(status))
      throw SocketFailure(operation: "resolve \(host)", detail: detail)
    }
    defer { freeaddrinfo(list) }
    var addresses: [SocketAddress] = []
    for entry in sequence(first: list, next: { $0.pointee.ai_next }) {
      let info = entry.pointee
      guard let address = info.ai_addr else { continue }
      var storage = sockaddr_storage()
      withUnsafeMutableBytes(of: &storage) {
        $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen)))
      }
      addresses.append(
        SocketAddress(
          family: info.ai_family, type: info.ai_socktype, protocolNumber: info.ai_protocol,
          storage: storage, length: info.ai_addrlen,
          text: numericText(address, length: info.ai_addrlen, family: info.ai_family)))
    }
    return addresses
  }

  /// The local socket at `path` (at most `SyslogTransport.maximumPathBytes` bytes, which
  /// parsing the transport checks).
  init(unixPath path: String, type: Int32) {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { pathBytes in
      let bytes = Array(path.utf8.prefix(pathBytes.count - 1))
      pathBytes.copyBytes(from: bytes)
    }
    var storage = sockaddr_storage()
    withUnsafeMutableBytes(of: &storage) { storageBytes in
      withUnsafeBytes(of: address) { storageBytes.copyMemory(from: $0) }
    }
    self.init(
      family: AF_UNIX, type: type, protocolNumber: 0, storage: storage,
      length: socklen_t(MemoryLayout<sockaddr_un>.size), text: path)
  }

  private init(
    family: Int32, type: Int32, protocolNumber: Int32, storage: sockaddr_storage,
    length: socklen_t, text: String
  ) {
    self.family = family
    self.type = type
    self.protocolNumber = protocolNumber
    self.storage = storage
    self.length = length
    self.text = text
  }

  /// Calls `body` with the address as the `sockaddr` pointer and length the socket calls take.
  func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
    withUnsafeBytes(of: storage) {
      body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
    }
  }

  /// `203.0.113.7:514` or `[2001:db8::7]:514`.
  private static func numericText(_ address: UnsafePointer<sockaddr>, length: socklen_t, family: Int32) -> String {
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    var service = [CChar](repeating: 0, count: 32)
    let status = getnameinfo(
      address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
      NI_NUMERICHOST | NI_NUMERICSERV)
    guard status == 0 else { return "(unprintable address)" }
    let hostText = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let serviceText = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return family == AF_INET6 ? "[\(hostText)]:\(serviceText)" : "\(hostText):\(serviceText)"
  }
}
