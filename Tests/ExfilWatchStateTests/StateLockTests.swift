import ExfilWatchTestSupport
import Foundation
import Glibc
import Testing

@testable import ExfilWatchState

@Suite("StateLock: one run per state file")
struct StateLockTests {
  @Test("a second lock in the same process is held, naming this pid, until release()")
  func sameProcess() throws {
    let directory = try TemporaryDirectory()
    let statePath = directory.path("state.db")
    let lock = try StateLock(statePath: statePath)
    #expect(lock.lockPath == statePath + ".lock")
    #expect(throws: StateLockError.held(path: statePath, pid: getpid())) {
      try StateLock(statePath: statePath)
    }
    let description = StateLockError.held(path: statePath, pid: getpid()).description
    #expect(description.hasPrefix(
      "state file \(statePath) is in use by another exfilwatch run (pid \(getpid())"))

    lock.release()
    lock.release()  // idempotent
    #expect(try readBytes(statePath + ".lock") == [], "no pid left behind")
    do {
      let second = try StateLock(statePath: statePath)
      _ = second
    }  // deinit releases
    _ = try StateLock(statePath: statePath)
  }

  @Test("the lock file is mode 0600 even with umask 0 and names its holder")
  func lockFile() throws {
    let directory = try TemporaryDirectory()
    let statePath = directory.path("state.db")
    let lock = try withUmask(0) { try StateLock(statePath: statePath) }
    #expect(permissions(lock.lockPath) == 0o600)
    let text = String(decoding: try readBytes(lock.lockPath), as: UTF8.self)
    let lines = text.split(separator: "\n")
    #expect(lines.first == "pid=\(getpid())")
    #expect(lines.count == 2 && lines[1].hasPrefix("started_at=20") && lines[1].hasSuffix("Z"))
  }

  @Test("a lock held by another process names it, and is taken once that process is killed")
  func otherProcess() throws {
    let flock = "/usr/bin/flock"  // util-linux
    try #require(FileManager.default.isExecutableFile(atPath: flock), "util-linux flock is needed")
    let directory = try TemporaryDirectory()
    let statePath = directory.path("state.db")
    try StateLock(statePath: statePath).release()  // the lock file exists, mode 0600

    // `flock -o` takes the lock itself and runs the command without the descriptor, so the
    // flock process is the only holder; `cat` reports the lock is taken, then waits on stdin.
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: flock)
    holder.arguments = ["-o", statePath + ".lock", "/bin/sh", "-c", "echo locked; exec cat"]
    let input = Pipe()
    let output = Pipe()
    holder.standardInput = input
    holder.standardOutput = output
    try holder.run()
    defer {
      if holder.isRunning { kill(holder.processIdentifier, SIGKILL) }
      try? input.fileHandleForWriting.close()  // ends cat, if the test stopped early
    }
    let line = output.fileHandleForReading.availableData
    #expect(String(decoding: line, as: UTF8.self) == "locked\n")

    #expect(throws: StateLockError.held(path: statePath, pid: holder.processIdentifier)) {
      try StateLock(statePath: statePath)
    }
    #expect(kill(holder.processIdentifier, SIGKILL) == 0)
    // Foundation reports the exit only once every process that inherited the child's end of
    // its status channel is gone, `cat` included: end `cat` (never a lock holder) first.
    try input.fileHandleForWriting.close()
    holder.waitUntilExit()
    #expect(holder.terminationReason == .uncaughtSignal)
    let lock = try StateLock(statePath: statePath)
    let text = String(decoding: try readBytes(lock.lockPath), as: UTF8.self)
    #expect(text.hasPrefix("pid=\(getpid())\n"))
  }
}
