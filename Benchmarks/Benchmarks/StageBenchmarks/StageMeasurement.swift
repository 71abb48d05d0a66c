import Benchmark
import Foundation
import MallocInterposerSwift

/// What one stage benchmark counts (events, lines, findings, decoded megabytes), and the two
/// custom metrics it reports per iteration in that unit.
///
/// Why custom metrics: one iteration is a whole input (tens of thousands of events, tens of
/// megabytes), and the framework's own numbers are per iteration: `throughput` is iterations
/// per second (rounded to an integer, so 7 for a 140 ms iteration) and `mallocCountTotal` is
/// allocations per input. `scalingFactor` cannot fix that, as it only scales by powers of 1000
/// and our inputs hold whatever number of events the samples give. So each iteration also
/// reports its own rate (`events/s`) and allocations per thousand units (`mallocs/1k events`),
/// read from the same malloc counters the framework reads, over the same measured region.
struct WorkUnit {
  /// The unit's name in the metric names: `events`, `lines`, `MB`.
  var name: String
  /// How many counted items make one unit (1 for events; 1,000,000 bytes for `MB`).
  var scale: Double = 1

  static let events = WorkUnit(name: "events")
  static let lines = WorkUnit(name: "lines")
  static let records = WorkUnit(name: "records")
  static let findings = WorkUnit(name: "findings")
  /// Decoded bytes, reported in (decimal) megabytes, as `zstd -dc | pv` would.
  static let megabytes = WorkUnit(name: "MB", scale: 1_000_000)

  /// Units processed per second of the measured region.
  var rate: BenchmarkMetric {
    .custom("\(name)/s", polarity: .prefersLarger, useScalingFactor: false)
  }

  /// Allocations per thousand units: `1000` means one allocation per event.
  var mallocs: BenchmarkMetric {
    .custom("mallocs/1k \(name)", polarity: .prefersSmaller, useScalingFactor: false)
  }
}

/// Registers one stage benchmark: `setup` makes its input once (not measured), and each
/// iteration runs `stage` over the whole input, measured by `measureStage(_:_:)`.
///
/// It reports the framework's five metrics the suite is read by (wall clock, CPU, throughput,
/// mallocs, peak RSS), plus the unit's rate and allocations per unit.
///
/// - Parameter stage: processes the input once with a fresh stage instance; returns how many
///   items it processed, in `unit`.
func stageBenchmark<Input>(
  _ name: String, unit: WorkUnit,
  setup: @escaping () throws -> Input,
  stage: @escaping (Input) throws -> Int
) {
  var configuration = Benchmark.defaultConfiguration
  configuration.metrics = [
    .wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident, unit.rate, unit.mallocs,
  ]
  Benchmark(name, configuration: configuration) { benchmark, input in
    try benchmark.measureStage(unit) { try stage(input) }
  } setup: {
    do {
      return try setup()
    } catch {
      // The plugin (1.38.1) drops a benchmark whose setup throws without a word and exits 0,
      // so a missing `zstd` would only show as a missing table. Said here, it at least shows
      // when the executable is run alone (`.build/release/StageBenchmarks --filter NAME`).
      FileHandle.standardError.write(Data("StageBenchmarks: \(name): setup failed: \(error)\n".utf8))
      throw error
    }
  }
}

extension Benchmark {
  /// Runs `body` as the measured part of one iteration and reports `unit`'s rate and
  /// allocations per unit; anything before the call (making an input, say) is not measured.
  ///
  /// - Parameter body: processes the whole input once and returns how many items it processed
  ///   (bytes for `WorkUnit.megabytes`).
  func measureStage(_ unit: WorkUnit, _ body: () throws -> Int) rethrows {
    let clock = ContinuousClock()
    startMeasurement()
    let mallocsBefore = MallocInterposerSwift.getStatistics().mallocCount
    let start = clock.now
    let count = try body()
    let elapsed = start.duration(to: clock.now)
    let mallocs = MallocInterposerSwift.getStatistics().mallocCount - mallocsBefore
    stopMeasurement()

    let units = Double(count) / unit.scale
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    guard units > 0, seconds > 0 else {
      error("\(name): processed no \(unit.name)")
      return
    }
    measurement(unit.rate, Int((units / seconds).rounded()))
    measurement(unit.mallocs, Int((Double(mallocs) * 1000 / units).rounded()))
  }
}
