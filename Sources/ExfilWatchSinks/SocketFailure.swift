import Glibc

/// Why a syslog transport could not take a message: the operation and the system's reason,
/// as the retry reason an operator reads (`connect to 127.0.0.1:5514: Connection refused`).
struct SocketFailure: Error {
  /// What was being done, to what: `connect to 127.0.0.1:5514`, `resolve syslog.example`.
  var operation: String
  /// The system's reason.
  var detail: String
  /// The error number, when the failure came from a system call.
  var errno: Int32?

  init(operation: String, detail: String) {
    self.operation = operation
    self.detail = detail
  }

  init(operation: String, errno: Int32) {
    self.init(operation: operation, detail: String(cString: strerror(errno)))
    self.errno = errno
  }

  var reason: String {
    "\(operation): \(detail)"
  }

  /// Whether sending the same message again can never work: it is larger than the transport
  /// carries (a datagram over 64 KiB, or over the local socket's limit). Everything else (a
  /// refused or reset connection, a missing socket file, an unreachable network, a timeout)
  /// may pass once the receiver or the network is back.
  var isPermanent: Bool {
    errno == EMSGSIZE
  }
}
