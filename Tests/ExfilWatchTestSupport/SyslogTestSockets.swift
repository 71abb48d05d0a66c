import Foundation
import Glibc

/// A socket call in a test failed.
public struct TestSocketError: Error, CustomStringConvertible {
  public var operation: String
  public var detail: String

  public init(_ operation: String, errno number: Int32 = errno) {
    self.operation = operation
    detail = String(cString: strerror(number))
  }

  public init(_ operation: String, detail: String) {
    self.operation = operation
    self.detail = detail
  }

  public var description: String { "\(operation): \(detail)" }
}

/// A receiver's socket, owned by the test: bound to a loopback address on a port the kernel
/// picks (or one the test gives), or to a path. The kernel queues what the sender sends
/// (datagrams, and connections in the listen backlog), so a test sends first and then
/// receives, on one thread.
public final class TestSocket {
  public private(set) var descriptor: Int32

  public init(descriptor: Int32) {
    self.descriptor = descriptor
  }

  deinit {
    close()
  }

  /// Closes the socket now, as a receiver that goes away does.
  public func close() {
    if descriptor >= 0 { Glibc.close(descriptor) }
    descriptor = -1
  }

  /// Bound to `127.0.0.1` (or `::1`) on `port`, by default an ephemeral port the kernel picks;
  /// a stream socket is listening. A given port is bound with `SO_REUSEADDR`, so a receiver can
  /// come up on a port a sender was just refused on (or one a previous receiver left).
  public static func loopback(
    type: __socket_type, family: Int32 = AF_INET, port: UInt16 = 0
  ) throws -> (socket: TestSocket, port: UInt16) {
    let socket = try TestSocket(descriptor: check("socket", Glibc.socket(family, Int32(type.rawValue), 0)))
    if port != 0 {
      var on: Int32 = 1
      let length = socklen_t(MemoryLayout<Int32>.size)
      try check("setsockopt", setsockopt(socket.descriptor, SOL_SOCKET, SO_REUSEADDR, &on, length))
    }
    var address = sockaddr_storage()
    var length: socklen_t
    if family == AF_INET6 {
      var ipv6 = sockaddr_in6()
      ipv6.sin6_family = sa_family_t(AF_INET6)
      ipv6.sin6_addr = in6addr_loopback
      ipv6.sin6_port = port.bigEndian
      withUnsafeBytes(of: ipv6) { source in withUnsafeMutableBytes(of: &address) { $0.copyMemory(from: source) } }
      length = socklen_t(MemoryLayout<sockaddr_in6>.size)
    } else {
      var ipv4 = sockaddr_in()
      ipv4.sin_family = sa_family_t(AF_INET)
      ipv4.sin_addr.s_addr = inet_addr("127.0.0.1")
      ipv4.sin_port = port.bigEndian
      withUnsafeBytes(of: ipv4) { source in withUnsafeMutableBytes(of: &address) { $0.copyMemory(from: source) } }
      length = socklen_t(MemoryLayout<sockaddr_in>.size)
    }
    try socket.bind(&address, length)
    if type == SOCK_STREAM { try check("listen", listen(socket.descriptor, 8)) }
    _ = try withUnsafeMutableBytes(of: &address) { raw in
      try check("getsockname", getsockname(socket.descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length))
    }
    let port = withUnsafeBytes(of: address) { raw in
      family == AF_INET6
        ? raw.load(as: sockaddr_in6.self).sin6_port : raw.load(as: sockaddr_in.self).sin_port
    }
    return (socket, UInt16(bigEndian: port))
  }

  /// Bound to `path`; a stream socket is listening.
  public static func unix(path: String, type: __socket_type) throws -> TestSocket {
    let socket = try TestSocket(descriptor: check("socket", Glibc.socket(AF_UNIX, Int32(type.rawValue), 0)))
    var unixAddress = sockaddr_un()
    unixAddress.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &unixAddress.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    var address = sockaddr_storage()
    withUnsafeBytes(of: unixAddress) { source in withUnsafeMutableBytes(of: &address) { $0.copyMemory(from: source) } }
    try socket.bind(&address, socklen_t(MemoryLayout<sockaddr_un>.size))
    if type == SOCK_STREAM { try check("listen", listen(socket.descriptor, 8)) }
    return socket
  }

  private func bind(_ address: inout sockaddr_storage, _ length: socklen_t) throws {
    _ = try withUnsafeBytes(of: &address) { raw in
      try check("bind", Glibc.bind(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length))
    }
  }

  /// Whether something arrives (a datagram, bytes, a connection) within `timeout` seconds.
  public func isReadable(within timeout: Double) throws -> Bool {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    return try check("poll", poll(&entry, 1, Int32(timeout * 1000))) > 0
  }

  /// The next queued connection.
  public func accept(within timeout: Double = 5) throws -> TestSocket {
    guard try isReadable(within: timeout) else { throw TestSocketError("accept", detail: "no connection") }
    return TestSocket(descriptor: try check("accept", Glibc.accept(descriptor, nil, nil)))
  }

  /// The next datagram, or the next bytes of a stream (empty at its end).
  public func receive(within timeout: Double = 5) throws -> [UInt8] {
    guard try isReadable(within: timeout) else { throw TestSocketError("receive", detail: "nothing arrived") }
    var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    let count = try check("recv", buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) })
    return Array(buffer.prefix(count))
  }
}

/// The frames of a stream connection, read exactly: RFC 6587 octet counting (`LEN SP MSG`),
/// or messages each ended by a NUL byte.
public struct StreamFrames {
  public let connection: TestSocket
  private var buffered: [UInt8] = []

  public init(_ connection: TestSocket) {
    self.connection = connection
  }

  /// The next octet-counted frame's MSG. The length must be digits without a leading zero.
  public mutating func nextOctetCounted() throws -> [UInt8] {
    let space = try fill { $0.firstIndex(of: UInt8(ascii: " ")).map { $0 + 1 } } - 1
    let digits = String(decoding: buffered[..<space], as: UTF8.self)
    guard !digits.hasPrefix("0"), digits.allSatisfy(\.isWholeNumber), let length = Int(digits) else {
      throw TestSocketError("frame", detail: "bad length '\(digits)'")
    }
    _ = try fill { $0.count >= space + 1 + length ? space + 1 + length : nil }
    let message = Array(buffered[(space + 1)..<(space + 1 + length)])
    buffered.removeFirst(space + 1 + length)
    return message
  }

  /// The next message ended by a NUL byte, without the NUL.
  public mutating func nextNULTerminated() throws -> [UInt8] {
    let end = try fill { $0.firstIndex(of: 0).map { $0 + 1 } }
    let message = Array(buffered[..<(end - 1)])
    buffered.removeFirst(end)
    return message
  }

  /// Whether the sender closed the connection after a whole frame: nothing is buffered and the
  /// stream has ended. Bytes that arrive instead are kept for the next frame.
  public mutating func isAtEnd() throws -> Bool {
    guard buffered.isEmpty else { return false }
    let bytes = try connection.receive()
    buffered += bytes
    return bytes.isEmpty
  }

  /// Reads until `frameEnd` finds the end of a frame in what is buffered, and returns it.
  private mutating func fill(until frameEnd: ([UInt8]) -> Int?) throws -> Int {
    while true {
      if let end = frameEnd(buffered) { return end }
      let bytes = try connection.receive()
      guard !bytes.isEmpty else { throw TestSocketError("frame", detail: "connection closed mid-frame") }
      buffered += bytes
    }
  }
}

@discardableResult
private func check<Number: BinaryInteger>(_ operation: String, _ result: Number) throws -> Number {
  guard result >= 0 else { throw TestSocketError(operation) }
  return result
}
