#!/usr/bin/env python3
"""Times shell commands against each other, alternating them, and prints a table.

Usage: measure.py --runs N --baseline NAME [--throughput BYTES:EVENTS] NAME=COMMAND ...

Each command runs through `sh -c` with its output discarded (redirect inside the command to
keep it). Runs alternate (A B C A B C ...) so that machine noise hits every command alike.
For each run the child's own resource usage comes from wait4(2): wall time, user+system CPU
time, and peak resident memory. The table shows medians and each command's ratio to the
baseline's median wall and CPU time; with --throughput, also decoded MB/s and events/s (the
bytes and events of the input, divided by each command's median wall time).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(command):
    started = time.perf_counter()
    process = subprocess.Popen(["sh", "-c", command], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"command failed ({status}): {command}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--throughput", help="BYTES:EVENTS of the input, for MB/s and events/s")
    parser.add_argument("commands", nargs="+", help="NAME=COMMAND")
    args = parser.parse_args()
    commands = dict(item.split("=", 1) for item in args.commands)
    samples = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(run_once(command))
    base_wall = statistics.median(s[0] for s in samples[args.baseline])
    base_cpu = statistics.median(s[1] for s in samples[args.baseline])
    size, events = (int(x) for x in args.throughput.split(":")) if args.throughput else (0, 0)
    extra = f" {'MB/s':>8} {'Mevents/s':>10}" if args.throughput else ""
    print(f"{'command':<28} {'wall s':>8} {'cpu s':>8} {'peak RSS MiB':>13} {'wall ratio':>11} {'cpu ratio':>10}{extra}")
    for name, runs in samples.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        rates = f" {size / wall / 1e6:>8.0f} {events / wall / 1e6:>10.2f}" if args.throughput else ""
        print(f"{name:<28} {wall:>8.3f} {cpu:>8.3f} {rss:>13.1f} {wall / base_wall:>11.2f} {cpu / base_cpu:>10.2f}{rates}")


if __name__ == "__main__":
    main()
