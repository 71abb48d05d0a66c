// swift-tools-version:6.1
//
// Benchmarks live in their own package (as in swift-nio) so the main build and its tests never
// compile benchmark code. Build with `swift build -c release --package-path Benchmarks`; run the
// ordo-one suite with `swift package --package-path Benchmarks benchmark` (see README.md).
import PackageDescription

let package = Package(
  name: "ExfilWatchBenchmarks",
  dependencies: [
    .package(name: "ExfilWatch", path: "../"),
    // Only the malloc interposer trait: the default "RuntimeInterposer" trait (ARC counters on
    // Linux with Swift 6.3) needs swift-runtime-interposer, which we do not use or carry.
    .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    // Already in the graph through `benchmark`; named here so the suite can read the same
    // allocation counters per iteration and divide them by the events processed.
    .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.5.0"),
  ],
  targets: [
    .executableTarget(
      name: "decode-throughput",
      dependencies: [
        .product(name: "ExfilWatchDecoder", package: "ExfilWatch"),
        .product(name: "ExfilWatchSource", package: "ExfilWatch"),
      ]
    ),
    // One benchmark per pipeline stage, each over an in-memory input (ordo-one layout:
    // sources under Benchmarks/<Suite>, the plugin generates the `main`).
    .executableTarget(
      name: "StageBenchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
        .product(name: "ExfilWatchSource", package: "ExfilWatch"),
        .product(name: "ExfilWatchDecoder", package: "ExfilWatch"),
        .product(name: "ExfilWatchFramer", package: "ExfilWatch"),
        .product(name: "ExfilWatchEvent", package: "ExfilWatch"),
        .product(name: "ExfilWatchParser", package: "ExfilWatch"),
        .product(name: "ExfilWatchDetector", package: "ExfilWatch"),
        .product(name: "ExfilWatchSinks", package: "ExfilWatch"),
      ],
      path: "Benchmarks/StageBenchmarks",
      plugins: [
        .plugin(name: "BenchmarkPlugin", package: "benchmark")
      ]
    ),
  ]
)
