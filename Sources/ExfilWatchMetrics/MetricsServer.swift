import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves `GET /metrics` for Prometheus to scrape, on a thread of its own, so a scrape never
/// waits for the run and the run never waits for a scrape.
///
/// Only the metrics are served: any other path is 404 and any other method 405. Bind it to
/// loopback (`127.0.0.1:9464`, Prometheus's convention for an exporter's port) unless the network in between is trusted: the
/// metrics name the sinks and say how far behind the logs are.
public final class MetricsServer {
  private let group: MultiThreadedEventLoopGroup
  private let channel: any Channel
  /// Where it listens (`127.0.0.1:9464`; the port chosen when 0 was asked for).
  public let address: String

  /// Starts listening on `host:port` (port 0: any free port, see `address`).
  ///
  /// - Throws: `MetricsServerError` when the address cannot be bound (in use, not local).
  public init(host: String, port: Int, registry: PrometheusCollectorRegistry) throws(MetricsServerError) {
    group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 16)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(MetricsRequestHandler(registry: registry))
        }
      }
    do {
      channel = try bootstrap.bind(host: host, port: port).wait()
    } catch {
      try? group.syncShutdownGracefully()
      throw MetricsServerError(address: "\(host):\(port)", reason: "\(error)")
    }
    let bound = channel.localAddress
    let shownHost = host.contains(":") ? "[\(host)]" : host
    address = "\(shownHost):\(bound?.port ?? port)"
  }

  /// Stops listening and lets the server's thread end.
  public func close() {
    try? channel.close().wait()
    try? group.syncShutdownGracefully()
  }
}

/// The metrics address could not be listened on.
public struct MetricsServerError: Error, CustomStringConvertible {
  public var address: String
  public var reason: String

  public var description: String { "cannot serve metrics on \(address): \(reason)" }
}

/// Answers each request on a connection with the registry's current metrics.
private final class MetricsRequestHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let registry: PrometheusCollectorRegistry
  private var request: HTTPRequestHead?

  init(registry: PrometheusCollectorRegistry) {
    self.registry = registry
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      request = head
    case .body:
      break
    case .end:
      guard let head = request else { return }
      request = nil
      respond(to: head, context: context)
    }
  }

  private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
    let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
    let (status, body, type): (HTTPResponseStatus, [UInt8], String) =
      if path != "/metrics" {
        (.notFound, Array("only /metrics is served here\n".utf8), "text/plain; charset=utf-8")
      } else if head.method != .GET && head.method != .HEAD {
        (.methodNotAllowed, Array("GET /metrics\n".utf8), "text/plain; charset=utf-8")
      } else {
        (.ok, registry.emitToBuffer(), "text/plain; version=0.0.4; charset=utf-8")
      }
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: type)
    headers.add(name: "Content-Length", value: "\(body.count)")
    if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
    let keepAlive = head.isKeepAlive
    if !keepAlive { headers.add(name: "Connection", value: "close") }
    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
    if head.method != .HEAD {
      context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
    }
    let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
    if !keepAlive {
      let channel = context.channel
      written.whenComplete { _ in channel.close(promise: nil) }
    }
  }
}
