import ExfilWatchPipeline
import Testing

/// Commits come every interval, and later after a slow one (so a large state is not committed
/// without end). Clock readings are given, not read: nothing here depends on a machine's speed.
@Suite struct CheckpointScheduleTests {
  @Test func quickCommitsComeEveryInterval() {
    var schedule = CheckpointSchedule(interval: 10, now: 100)
    #expect(!schedule.isDue(now: 109.9))
    #expect(schedule.isDue(now: 110))
    schedule.committed(start: 110, end: 110.5)
    #expect(!schedule.isDue(now: 120))
    #expect(schedule.isDue(now: 120.5))
  }

  @Test func aSlowCommitPushesTheNextOneBack() {
    var schedule = CheckpointSchedule(interval: 10, now: 0)
    schedule.committed(start: 10, end: 55)  // 45 seconds
    #expect(schedule.due == 55 + 4 * 45)
    #expect(!schedule.isDue(now: 234))
    #expect(schedule.isDue(now: 235))
    // A quick commit after it brings the interval back.
    schedule.committed(start: 235, end: 236)
    #expect(schedule.due == 246)
  }
}
