// swift-tools-version:6.1
//
// The libFuzzer executables, one per fuzz target, in their own package (as Benchmarks/ is) so
// the main build never needs the sanitizer flags. Each is only its entry point (`FuzzDriver` holds
// what libFuzzer calls); the targets themselves are the ExfilWatchFuzzTargets library of the root
// package, which the ordinary `swift test` also runs over Fuzz/Corpus. Build and run them with `Fuzz/run.sh`.
import PackageDescription

let fuzzTargets = ["FuzzDecode", "FuzzFrame", "FuzzParse", "FuzzPipeline", "FuzzState"]

let package = Package(
  name: "ExfilWatchFuzz",
  dependencies: [
    .package(name: "ExfilWatch", path: "../")
  ],
  targets: [
    // libFuzzer's entry points, shared by the executables.
    .target(name: "FuzzDriver")
  ]
    + fuzzTargets.map { name in
      .executableTarget(
        name: name,
        dependencies: ["FuzzDriver", .product(name: "ExfilWatchFuzzTargets", package: "ExfilWatch")]
      )
    }
)
