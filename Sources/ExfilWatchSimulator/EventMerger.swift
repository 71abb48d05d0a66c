/// Something that makes audit records on its own schedule: one agent, the nightly ETL, the
/// analysts, an attack. Each gives its records in time order, one at a time, so nothing holds
/// more than the record it is about to give.
protocol ActivitySource: AnyObject {
  /// The next record, not earlier than the previous one; nil when the source is done.
  func next() -> SimulatedEvent?
}

/// Merges the sources into one time-ordered stream with a binary min-heap of each source's
/// next record: memory is one record per source, whatever the number of days simulated.
///
/// Records with equal times come in source order, so the output does not depend on anything
/// but the sources (and so only on the seed).
final class EventMerger {
  private let sources: [any ActivitySource]
  /// Each source's next record. This and `heap` are exempt from dynamic exclusivity checks
  /// (touched a dozen times per record; one thread; nothing re-enters the merger).
  @exclusivity(unchecked) private var heads: [SimulatedEvent?]
  /// Source indices ordered as a heap by (head time, source index).
  @exclusivity(unchecked) private var heap: [Int] = []

  init(sources: [any ActivitySource]) {
    self.sources = sources
    heads = sources.map { $0.next() }
    for index in sources.indices where heads[index] != nil {
      heap.append(index)
      siftUp(heap.count - 1)
    }
  }

  func next() -> SimulatedEvent? {
    guard let top = heap.first, let event = heads[top] else { return nil }
    let following = sources[top].next()
    if let following {
      precondition(following.time >= event.time, "a source went back in time")
      heads[top] = following
      siftDown(0)
    } else {
      heads[top] = nil
      let last = heap.removeLast()
      if !heap.isEmpty {
        heap[0] = last
        siftDown(0)
      }
    }
    return event
  }

  private func precedes(_ a: Int, _ b: Int) -> Bool {
    let timeA = heads[a]!.time
    let timeB = heads[b]!.time
    return timeA < timeB || (timeA == timeB && a < b)
  }

  private func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard precedes(heap[child], heap[parent]) else { return }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  private func siftDown(_ start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < heap.count else { return }
      var smallest = left
      if left + 1 < heap.count && precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
      guard precedes(heap[smallest], heap[parent]) else { return }
      heap.swapAt(smallest, parent)
      parent = smallest
    }
  }
}
