import Glibc

/// An open socket to a syslog receiver, closed when the last reference goes away.
///
/// Every call honours a deadline: the socket is non-blocking, and connecting or a send that
/// finds the socket's buffer full waits in `poll` only for the time left, so a receiver that
/// neither refuses nor accepts cannot hold up delivery. Sends use `MSG_NOSIGNAL`: a receiver
/// that closed the connection is an error to report, not a `SIGPIPE` that ends the process.
final class SyslogConnection: Sendable {
  /// How each message is delimited on this socket.
  enum Framing {
    /// One message per datagram (UDP, RFC 5426; a local datagram socket).
    case datagram
    /// `LEN SP MSG` (TCP, RFC 6587 octet counting).
    case octetCounting
    /// The message and a NUL byte, as glibc's `syslog(3)` writes to a local stream socket.
    case nulTerminated
  }

  let descriptor: Int32
  let framing: Framing
  /// The receiver's address as text, for failure reasons.
  let peer: String

  private init(descriptor: Int32, framing: Framing, peer: String) {
    self.descriptor = descriptor
    self.framing = framing
    self.peer = peer
  }

  deinit {
    Glibc.close(descriptor)
  }

  /// Connects to the receiver, trying each address of a host name in turn, all before the one
  /// deadline. A local socket is opened as a datagram socket, or as a stream socket when it is
  /// one (`EPROTOTYPE`).
  static func open(_ transport: SyslogTransport, before deadline: Deadline) throws(SocketFailure) -> SyslogConnection {
    switch transport {
    case .udp(let host, let port):
      let addresses = try SocketAddress.resolve(host: host, port: port, type: Int32(SOCK_DGRAM.rawValue))
      return try connectToFirst(of: addresses, framing: .datagram, before: deadline)
    case .tcp(let host, let port):
      let addresses = try SocketAddress.resolve(host: host, port: port, type: Int32(SOCK_STREAM.rawValue))
      return try connectToFirst(of: addresses, framing: .octetCounting, before: deadline)
    case .unix(let path):
      do {
        let address = SocketAddress(unixPath: path, type: Int32(SOCK_DGRAM.rawValue))
        return try connect(to: address, framing: .datagram, before: deadline)
      } catch where error.errno == EPROTOTYPE {
        let address = SocketAddress(unixPath: path, type: Int32(SOCK_STREAM.rawValue))
        return try connect(to: address, framing: .nulTerminated, before: deadline)
      }
    }
  }

  private static func connectToFirst(
    of addresses: [SocketAddress], framing: Framing, before deadline: Deadline
  ) throws(SocketFailure) -> SyslogConnection {
    var lastFailure = SocketFailure(operation: "connect", detail: "the host has no address")
    for (index, address) in addresses.enumerated() {
      // Each address gets its share of what is left, so one that drops packets (an IPv6
      // route that goes nowhere) cannot use up every attempt before the next is tried.
      let share = Deadline(secondsFromNow: deadline.remainingSeconds / Double(addresses.count - index))
      do {
        return try connect(to: address, framing: framing, before: share)
      } catch {
        lastFailure = error
      }
    }
    throw lastFailure
  }

  private static func connect(
    to address: SocketAddress, framing: Framing, before deadline: Deadline
  ) throws(SocketFailure) -> SyslogConnection {
    let operation = "connect to \(address.text)"
    let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    let descriptor = socket(address.family, address.type | flags, address.protocolNumber)
    guard descriptor >= 0 else { throw SocketFailure(operation: operation, errno: errno) }
    let connection = SyslogConnection(descriptor: descriptor, framing: framing, peer: address.text)
    guard address.withSocketAddress({ Glibc.connect(descriptor, $0, $1) }) != 0 else { return connection }
    // A non-blocking connect goes on in the background (also after EINTR); its result is
    // SO_ERROR once the socket turns writable.
    let started = errno
    guard started == EINPROGRESS || started == EINTR else {
      var failure = SocketFailure(operation: operation, errno: started)
      if address.family == AF_UNIX && started == ENOENT {
        failure.detail += " (no syslog daemon listens there)"
      }
      throw failure
    }
    try connection.wait(for: Int16(POLLOUT), before: deadline, operation: operation)
    var result: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &result, &length) == 0 else {
      throw SocketFailure(operation: operation, errno: errno)
    }
    guard result == 0 else { throw SocketFailure(operation: operation, errno: result) }
    return connection
  }

  /// Sends one message with this socket's framing, whole.
  func send(_ message: [UInt8], before deadline: Deadline) throws(SocketFailure) {
    let frame: [UInt8] =
      switch framing {
      case .datagram: message
      case .octetCounting: Array("\(message.count) ".utf8) + message
      case .nulTerminated: message + [0]
      }
    let operation = "send to \(peer)"
    var sent = 0
    while sent < frame.count {
      let result = frame.withUnsafeBytes {
        Glibc.send(descriptor, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
      }
      if result >= 0 {
        sent += result
        continue
      }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLOUT), before: deadline, operation: operation)
      case let number: throw SocketFailure(operation: operation, errno: number)
      }
    }
  }

  /// Whether the receiver has closed (or reset) a stream connection. Syslog receivers never
  /// write back, so a readable socket means end of stream or an error: a message written now
  /// would be accepted by the kernel and lost, so the caller reconnects first. (A receiver can
  /// still close just after this check; TCP syslog has no acknowledgement to catch that.)
  var isClosedByPeer: Bool {
    guard framing != .datagram else { return false }
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    guard poll(&entry, 1, 0) > 0 else { return false }
    var byte: UInt8 = 0
    let result = recv(descriptor, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
    return result == 0 || (result < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
  }

  private func wait(for events: Int16, before deadline: Deadline, operation: String) throws(SocketFailure) {
    while true {
      var entry = pollfd(fd: descriptor, events: events, revents: 0)
      let ready = poll(&entry, 1, deadline.remainingMilliseconds)
      if ready > 0 { return }
      if ready == 0 {
        throw SocketFailure(operation: operation, detail: "timed out after \(deadline.seconds)s")
      }
      if errno != EINTR { throw SocketFailure(operation: operation, errno: errno) }
    }
  }
}

/// The moment by which a send must be done, on the monotonic clock (a wall-clock step cannot
/// stretch or cut it).
struct Deadline {
  /// The time allowed, for failure reasons.
  let seconds: Double
  private let end: Double

  init(secondsFromNow seconds: Double) {
    self.seconds = seconds
    end = Self.now() + max(0, seconds)
  }

  /// Seconds left; 0 once it has passed.
  var remainingSeconds: Double { max(0, end - Self.now()) }

  /// Milliseconds left, rounded up, for `poll`; 0 once it has passed.
  var remainingMilliseconds: Int32 {
    let left = (end - Self.now()) * 1000
    return left <= 0 ? 0 : Int32(min(left.rounded(.up), Double(Int32.max)))
  }

  private static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
