import ExfilWatchFuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  FuzzTarget.frame(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}

/// SwiftPM links every executable on Linux with `--defsym main=<module>_main` (so that tests can
/// link it), which takes `main` away from libFuzzer: this is that symbol, and starts libFuzzer.
@_cdecl("FuzzFrame_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
  var argc = argc
  var argv = argv
  return runLibFuzzer(&argc, &argv, fuzzFrame)
}

@_silgen_name("LLVMFuzzerRunDriver")
func runLibFuzzer(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
