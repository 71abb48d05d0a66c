/// What one call into a codec library did: how much it took and gave, and whether it stopped
/// exactly between two frames (zstd) or members (gzip).
struct CodecStep {
  var consumed: Int
  var produced: Int
  /// True when everything consumed so far forms complete frames/members, all of it flushed to
  /// the output: the only place an input may cleanly end.
  var atUnitBoundary: Bool
}

/// A codec library's refusal, before the driver adds the input's name and offsets.
struct CodecFailure: Error {
  enum Kind {
    case corrupt(String)
    case windowTooLarge
  }
  var kind: Kind
  /// How many input bytes of the failing call the library had taken when it gave up.
  var consumed: Int
}
