/// One SOQL read by a program: a query and, when it returns more rows than a page, its
/// `QueryMore` pages, each a record whose `RowsProcessed` is the running total (2000, 4000,
/// ...), as Salesforce logs them and as SampleLogs shows.
struct ReadPlan {
  enum Start {
    /// At this time (or when the previous read ends, if later).
    case at(Int64)
    /// This many milliseconds (drawn from the range) after the previous read's last page.
    case afterPrevious(ClosedRange<Int64>)
  }

  var start: Start
  var principal: Int32
  var session: UInt64
  var entity: Entity
  var query: QueryText
  /// Rows the read returns in all (1 for a COUNT()).
  var rows: Int64
  /// `Records.totalSize`: for a COUNT(), the count; otherwise `rows`.
  var totalSize: Int64? = nil
  var pageSize: Int64 = 2000
  /// Milliseconds between one page and the next.
  var pageGap: ClosedRange<Int64> = 2_500...4_500
  var elapsed: ClosedRange<Int> = 300...1500
  var attack: Int8 = -1
}

/// Plays reads one after another, page by page, as a program does: the nightly integrations
/// and the attackers' scripts. Plans are pulled one at a time from `plans`, so a source that
/// runs every night for a year holds one night's plan, not the year's.
final class ScriptedReads: ActivitySource {
  private var plans: AnyIterator<ReadPlan>
  // Exempt from dynamic exclusivity checks like AgentActivity's state.
  @exclusivity(unchecked) private var random: SimulationRandom
  @exclusivity(unchecked) private var current: ReadPlan?
  @exclusivity(unchecked) private var clock: Int64 = .min
  @exclusivity(unchecked) private var rowsDone: Int64 = 0

  init(random: SimulationRandom, plans: AnyIterator<ReadPlan>) {
    self.random = random
    self.plans = plans
  }

  convenience init(random: SimulationRandom, plans: [ReadPlan]) {
    self.init(random: random, plans: AnyIterator(plans.makeIterator()))
  }

  func next() -> SimulatedEvent? {
    if current == nil {
      guard let plan = plans.next() else { return nil }
      switch plan.start {
      case .at(let time): clock = max(clock, time)
      case .afterPrevious(let delay):
        precondition(clock != .min, "the first read of a script starts at a time")
        clock += random.int64(delay)
      }
      current = plan
      rowsDone = 0
    }
    let plan = current!
    let page = min(plan.pageSize, plan.rows - rowsDone)
    let first = rowsDone == 0
    rowsDone += page
    let event = SimulatedEvent(
      time: clock, kind: first ? .query : .queryMore, entity: plan.entity,
      principal: plan.principal, session: plan.session, query: plan.query,
      rowsProcessed: rowsDone, rowsReturned: page, totalSize: plan.totalSize ?? plan.rows,
      // A Query counts its rows; a QueryMore the rows it adds to the running total.
      counted: page, elapsed: Int32(random.int(plan.elapsed)), attack: plan.attack,
      noise: random.next())
    if rowsDone >= plan.rows {
      current = nil
    } else {
      clock += random.int64(plan.pageGap)
    }
    return event
  }
}
