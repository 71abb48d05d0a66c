// swift-tools-version:6.1
//
// Benchmarks live in their own package (as in swift-nio) so the main build and its tests never
// compile benchmark code. Build with `swift build -c release --package-path Benchmarks`.
import PackageDescription

let package = Package(
  name: "ExfilWatchBenchmarks",
  dependencies: [
    .package(name: "ExfilWatch", path: "../")
  ],
  targets: [
    .executableTarget(
      name: "decode-throughput",
      dependencies: [
        .product(name: "ExfilWatchDecoder", package: "ExfilWatch"),
        .product(name: "ExfilWatchSource", package: "ExfilWatch"),
      ]
    )
  ]
)
