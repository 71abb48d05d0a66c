/// The target this process fuzzes: set once by its executable's entry point, before libFuzzer
/// starts calling `LLVMFuzzerTestOneInput` (on that one thread).
nonisolated(unsafe) private var fuzzedTarget: (UnsafeRawBufferPointer) -> Int = { _ in 0 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = fuzzedTarget(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}

/// Runs libFuzzer's driver on `target` with the process's arguments.
///
/// SwiftPM links every executable on Linux with `--defsym main=<module>_main` (so that tests can
/// link it), which takes `main` away from libFuzzer: each executable defines that symbol and
/// calls this, and libFuzzer is started through `LLVMFuzzerRunDriver` instead of its own `main`.
public func runFuzzer(
  _ target: @escaping (UnsafeRawBufferPointer) -> Int,
  argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
  fuzzedTarget = target
  var argc = argc
  var argv = argv
  return runLibFuzzer(&argc, &argv, fuzzOneInput)
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runLibFuzzer(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
