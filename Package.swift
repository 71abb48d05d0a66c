// swift-tools-version:6.1
//
// ExfilWatch: one SwiftPM target per pipeline stage (see DESIGN.md), data flowing one way:
//   Source ──bytes──▶ Decoder ──bytes──▶ Framer ──records──▶ Parser ──AccessEvent──▶ ...
// The codecs are the system libraries libzstd and zlib, bound through the CZstd and CZlib
// system-library targets (webhook signatures use libcrypto, through CCrypto); the `exfilwatch`
// executable only wires the stages together.
import PackageDescription

let package = Package(
  name: "ExfilWatch",
  products: [
    .executable(name: "exfilwatch", targets: ["exfilwatch"]),
    .library(name: "ExfilWatchSource", targets: ["ExfilWatchSource"]),
    .library(name: "ExfilWatchDecoder", targets: ["ExfilWatchDecoder"]),
    .library(name: "ExfilWatchFramer", targets: ["ExfilWatchFramer"]),
    .library(name: "ExfilWatchEvent", targets: ["ExfilWatchEvent"]),
    .library(name: "ExfilWatchParser", targets: ["ExfilWatchParser"]),
    .library(name: "ExfilWatchDetector", targets: ["ExfilWatchDetector"]),
    .library(name: "ExfilWatchSinks", targets: ["ExfilWatchSinks"]),
    .library(name: "ExfilWatchPipeline", targets: ["ExfilWatchPipeline"]),
    .library(name: "ExfilWatchState", targets: ["ExfilWatchState"]),
    .library(name: "ExfilWatchConfiguration", targets: ["ExfilWatchConfiguration"]),
    .library(name: "ExfilWatchMetrics", targets: ["ExfilWatchMetrics"]),
    .library(name: "ExfilWatchReport", targets: ["ExfilWatchReport"]),
    // For the libFuzzer executables of the nested Fuzz/ package.
    .library(name: "ExfilWatchFuzzTargets", targets: ["ExfilWatchFuzzTargets"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
    .package(url: "https://github.com/apple/swift-system.git", from: "1.8.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
    .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CZstd",
      pkgConfig: "libzstd",
      providers: [.apt(["libzstd-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .systemLibrary(
      name: "CCrypto",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]
    ),
    .target(
      name: "ExfilWatchSource",
      dependencies: [.product(name: "SystemPackage", package: "swift-system")]
    ),
    .target(
      name: "ExfilWatchDecoder",
      dependencies: ["ExfilWatchSource", "CZstd", "CZlib"]
    ),
    .target(name: "ExfilWatchFramer"),
    .target(name: "ExfilWatchEvent"),
    // SSE2 byte comparisons (with portable fallbacks) for the parser's scanning loops.
    .target(name: "CByteScan"),
    .target(
      name: "ExfilWatchParser",
      dependencies: ["ExfilWatchEvent", "ExfilWatchFramer", "CByteScan"],
      exclude: ["Formats.md"]
    ),
    .target(
      name: "ExfilWatchDetector",
      dependencies: ["ExfilWatchEvent"]
    ),
    .target(
      name: "ExfilWatchSinks",
      dependencies: [
        "ExfilWatchDetector", "ExfilWatchEvent", "CCrypto",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ]
    ),
    .target(
      name: "ExfilWatchPipeline",
      dependencies: [
        "ExfilWatchSource", "ExfilWatchDecoder", "ExfilWatchEvent", "ExfilWatchParser",
        .product(name: "SystemPackage", package: "swift-system"),
      ]
    ),
    .target(
      name: "ExfilWatchState",
      dependencies: [
        "CZstd",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "SystemPackage", package: "swift-system"),
      ]
    ),
    .target(
      name: "ExfilWatchConfiguration",
      dependencies: [
        "ExfilWatchSinks", "ExfilWatchDetector", "ExfilWatchEvent", .product(name: "Yams", package: "Yams"),
      ]
    ),
    .target(
      name: "ExfilWatchMetrics",
      dependencies: [
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ]
    ),
    .target(
      name: "ExfilWatchReport",
      dependencies: ["ExfilWatchEvent"]
    ),
    .target(
      name: "ExfilWatchSimulator",
      dependencies: ["ExfilWatchEvent", "CZstd"]
    ),
    // The fuzz targets as plain functions, so that `swift test` replays the fuzz corpus through
    // them (see Fuzz/).
    .target(
      name: "ExfilWatchFuzzTargets",
      dependencies: [
        "ExfilWatchSource", "ExfilWatchDecoder", "ExfilWatchFramer", "ExfilWatchEvent", "ExfilWatchParser",
        "ExfilWatchDetector",
      ]
    ),
    .executableTarget(
      name: "exfilwatch",
      dependencies: [
        "ExfilWatchSource",
        "ExfilWatchDecoder",
        "ExfilWatchFramer",
        "ExfilWatchEvent",
        "ExfilWatchParser",
        "ExfilWatchDetector",
        "ExfilWatchSinks",
        "ExfilWatchPipeline",
        "ExfilWatchState",
        "ExfilWatchConfiguration",
        "ExfilWatchMetrics",
        "ExfilWatchReport",
        "ExfilWatchSimulator",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "ExfilWatchTestSupport",
      path: "Tests/ExfilWatchTestSupport",
      exclude: ["OCSFSchema", "Receivers"]
    ),
    .testTarget(
      name: "ExfilWatchDecoderTests",
      dependencies: ["ExfilWatchDecoder", "ExfilWatchSource", "ExfilWatchTestSupport"]
    ),
    .testTarget(
      name: "ExfilWatchFramerTests",
      dependencies: [
        "ExfilWatchFramer",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "ExfilWatchParserTests",
      dependencies: [
        "ExfilWatchParser", "ExfilWatchEvent", "ExfilWatchTestSupport", "exfilwatch",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      exclude: ["Fixtures"]
    ),
    .testTarget(
      name: "ExfilWatchCLITests",
      dependencies: ["exfilwatch", "ExfilWatchSinks", "ExfilWatchDetector", "ExfilWatchTestSupport"]
    ),
    .testTarget(
      name: "ExfilWatchDetectorTests",
      dependencies: [
        "ExfilWatchDetector", "ExfilWatchEvent", "ExfilWatchTestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "ExfilWatchSinksTests",
      dependencies: [
        "ExfilWatchSinks", "ExfilWatchDetector", "ExfilWatchEvent", "ExfilWatchTestSupport",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .testTarget(
      name: "ExfilWatchPipelineTests",
      dependencies: [
        "ExfilWatchPipeline", "ExfilWatchParser", "ExfilWatchEvent", "ExfilWatchTestSupport",
      ]
    ),
    .testTarget(
      name: "ExfilWatchConfigurationTests",
      dependencies: ["ExfilWatchConfiguration", "ExfilWatchSinks"]
    ),
    .testTarget(
      name: "ExfilWatchMetricsTests",
      dependencies: ["ExfilWatchMetrics", "ExfilWatchTestSupport"]
    ),
    .testTarget(
      name: "ExfilWatchReportTests",
      dependencies: ["ExfilWatchReport", "ExfilWatchSinks", "ExfilWatchDetector", "ExfilWatchTestSupport"]
    ),
    .testTarget(
      name: "ExfilWatchStateTests",
      dependencies: ["ExfilWatchState", "ExfilWatchTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
    ),
    .testTarget(
      name: "ExfilWatchFuzzTargetsTests",
      dependencies: ["ExfilWatchFuzzTargets"]
    ),
    .testTarget(
      name: "ExfilWatchSimulatorTests",
      dependencies: [
        "ExfilWatchSimulator", "ExfilWatchParser", "ExfilWatchEvent", "ExfilWatchDecoder",
        "ExfilWatchSource", "ExfilWatchTestSupport",
      ]
    ),
  ]
)
