import ExfilWatchFuzzTargets
import FuzzDriver

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzState_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
  runFuzzer(FuzzTarget.state, argc: argc, argv: argv)
}
