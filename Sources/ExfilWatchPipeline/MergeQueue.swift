/// The inputs of a merge that still have events, as a binary min-heap keyed by the time of each
/// input's next event (for an input not opened yet, its first event), ties by input order.
///
/// The key makes the merge deterministic: equal times always come in the order the inputs were
/// given. Only the top is ever re-keyed, so the heap needs no index of positions.
struct MergeQueue {
  struct Entry {
    var time: Int64
    /// The input's position in the list given to the merge.
    var input: Int

    fileprivate func precedes(_ other: Entry) -> Bool {
      time < other.time || (time == other.time && input < other.input)
    }
  }

  private var entries: [Entry] = []

  /// The input whose next event comes first.
  var top: Entry? { entries.first }

  /// The latest time up to which the top input's events come before every other input's next
  /// event; `Int64.max` when it is the only input left.
  ///
  /// The top input's events can be handed out in a run up to this time without touching the
  /// heap, which is what keeps the merge cheap per event when inputs barely overlap.
  var topRunLimit: Int64 {
    guard let top = entries.first, entries.count > 1 else { return .max }
    var runnerUp = entries[1]
    if entries.count > 2, entries[2].precedes(runnerUp) { runnerUp = entries[2] }
    // At the runner-up's very time, the tie rule decides; when the top loses that tie it is
    // strictly earlier than the runner-up, so `runnerUp.time - 1` cannot overflow.
    let tie = Entry(time: runnerUp.time, input: top.input)
    return tie.precedes(runnerUp) ? runnerUp.time : runnerUp.time - 1
  }

  mutating func insert(_ entry: Entry) {
    entries.append(entry)
    var child = entries.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard entries[child].precedes(entries[parent]) else { break }
      entries.swapAt(child, parent)
      child = parent
    }
  }

  /// Gives the top input a new key: the time of its next event.
  mutating func updateTop(time: Int64) {
    entries[0].time = time
    siftDownFromTop()
  }

  mutating func removeTop() {
    let last = entries.removeLast()
    guard !entries.isEmpty else { return }
    entries[0] = last
    siftDownFromTop()
  }

  private mutating func siftDownFromTop() {
    var parent = 0
    while true {
      let left = 2 * parent + 1
      guard left < entries.count else { return }
      var first = entries[left].precedes(entries[parent]) ? left : parent
      if left + 1 < entries.count, entries[left + 1].precedes(entries[first]) { first = left + 1 }
      guard first != parent else { return }
      entries.swapAt(parent, first)
      parent = first
    }
  }
}
