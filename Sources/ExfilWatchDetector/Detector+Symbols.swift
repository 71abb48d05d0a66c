import ExfilWatchEvent

extension Detector {
  /// Marks every symbol the detector holds, so that a sweep of the table frees only values
  /// no tracked key, window, incident or held event names: the keys of the key table, the
  /// clients a key compares with, each bucket's breakdown and sample origins, the keys of
  /// open incidents, and the events held for their time. Findings are text already.
  ///
  /// Evicted keys' slots are left out: nothing reads them before a new key takes them.
  public func markSymbols(into marks: inout SymbolMarks) {
    for index in keyIndex.values {
      keys[Int(index)].markSymbols(into: &marks)
      for ring in rings { ring[Int(index)].markSymbols(into: &marks, store: buckets) }
    }
    for incident in incidents.open {
      for key in incident.members.union(incident.newcomers) { key.markSymbols(into: &marks) }
      for key in [incident.strongest.key] + incident.strongest.related + incident.strongest.newcomers {
        key.markSymbols(into: &marks)
      }
    }
    for event in timeGuard.held { marks.mark(event) }
    if let origin = statistics.firstClockOutlier { marks.mark(origin.input) }
  }
}

extension DetectorKey {
  func markSymbols(into marks: inout SymbolMarks) {
    for symbol in [tenant, first, second, third] { marks.mark(symbol) }
  }
}

extension KeyState {
  func markSymbols(into marks: inout SymbolMarks) {
    key.markSymbols(into: &marks)
    marks.mark(usualClient)
    marks.mark(latestClient)
  }
}

extension WindowRing {
  func markSymbols(into marks: inout SymbolMarks, store: borrowing BucketStore) {
    for bucket in buckets(in: store) {
      for entry in bucket.breakdown.allEntries {
        marks.mark(entry.value)
        marks.mark(entry.companion)
      }
      for sample in bucket.samples.samples { marks.mark(sample.origin.input) }
    }
  }
}
