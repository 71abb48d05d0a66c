import Glibc

/// The simulator's pseudo-random numbers: xoshiro256** seeded through SplitMix64.
///
/// Never `SystemRandomNumberGenerator`: a simulation must be the same bytes for the same seed on
/// every run, so a detector's miss can be reproduced. Every independent thing that happens (one
/// agent's shift on one day, the nightly ETL, an attack) draws from its own `RandomStream`, so
/// adding an attack to a scenario leaves every byte of the normal traffic as it was: `baseline`
/// and an attack scenario with the same seed differ only by the attack's records.
struct SimulationRandom: RandomNumberGenerator {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  init(seed: UInt64, stream: RandomStream) {
    var state = SplitMix64.mix(seed)
    for word in stream.words {
      state = SplitMix64.mix(state ^ SplitMix64.mix(word &+ 0x9E37_79B9_7F4A_7C15))
    }
    var mixer = SplitMix64(state: state)
    s0 = mixer.next()
    s1 = mixer.next()
    s2 = mixer.next()
    s3 = mixer.next()
  }

  /// A generator seeded directly by one word: for the per-record noise that ids are made from.
  init(noise: UInt64) {
    var mixer = SplitMix64(state: noise)
    s0 = mixer.next()
    s1 = mixer.next()
    s2 = mixer.next()
    s3 = mixer.next()
  }

  mutating func next() -> UInt64 {
    let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3.rotatedLeft(by: 45)
    return result
  }

  /// A uniform integer in `range` (multiply-shift; the bias is below 2^-40 for our ranges).
  mutating func int(_ range: ClosedRange<Int>) -> Int {
    let span = UInt64(range.upperBound - range.lowerBound) + 1
    return range.lowerBound + Int(next().multipliedFullWidth(by: span).high)
  }

  mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
    let span = UInt64(range.upperBound - range.lowerBound) + 1
    return range.lowerBound + Int64(next().multipliedFullWidth(by: span).high)
  }

  /// A uniform double in [0, 1).
  mutating func unit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  mutating func double(_ range: ClosedRange<Double>) -> Double {
    range.lowerBound + unit() * (range.upperBound - range.lowerBound)
  }

  mutating func chance(_ probability: Double) -> Bool {
    unit() < probability
  }

  /// Exponentially distributed with the given mean: gaps between independent arrivals.
  mutating func exponential(mean: Double) -> Double {
    -mean * log(1 - unit())
  }

  /// Standard normal (Box-Muller; one of the pair is dropped to keep the state simple).
  mutating func normal() -> Double {
    let radius = (-2 * log(1 - unit())).squareRoot()
    return radius * cos(2 * Double.pi * unit())
  }

  /// Log-normal around `median`: multiplicative spread, a heavy right tail (people's workloads).
  mutating func logNormal(median: Double, sigma: Double) -> Double {
    median * exp(sigma * normal())
  }

  mutating func element<T>(of array: [T]) -> T {
    array[int(0...array.count - 1)]
  }
}

/// Names one independent source of randomness of a simulation (mixed with the seed).
enum RandomStream {
  case organisation
  case agentProfile(Int)
  case shift(agent: Int, day: Int)
  case agentWork(agent: Int, day: Int)
  case integration(Int)
  case analyst(Int, day: Int)
  case internalCalls
  case calendar
  case attackPlan
  case attackRun(Int)

  var words: [UInt64] {
    switch self {
    case .organisation: [1]
    case .agentProfile(let agent): [2, UInt64(agent)]
    case .shift(let agent, let day): [3, UInt64(agent), UInt64(bitPattern: Int64(day))]
    case .agentWork(let agent, let day): [4, UInt64(agent), UInt64(bitPattern: Int64(day))]
    case .integration(let index): [5, UInt64(index)]
    case .analyst(let index, let day): [6, UInt64(index), UInt64(bitPattern: Int64(day))]
    case .internalCalls: [7]
    case .calendar: [8]
    case .attackPlan: [9]
    case .attackRun(let index): [10, UInt64(index)]
    }
  }
}

/// SplitMix64: seeds xoshiro and turns one word into many.
struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return Self.mix(state)
  }

  static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

extension UInt64 {
  fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
    (self << count) | (self >> (64 - count))
  }
}
