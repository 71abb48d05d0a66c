import ExfilWatchFuzzTargets
import FuzzDriver

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzPipeline_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
  runFuzzer(FuzzTarget.pipeline, argc: argc, argv: argv)
}
