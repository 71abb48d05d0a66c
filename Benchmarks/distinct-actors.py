#!/usr/bin/env python3
"""Writes sf-rtem (ApiEvent JSON lines) to standard output with ACTORS distinct actors, each
reading EVENTS times over one UTC day, from one of 4,096 source IPs and 8 client apps: the
input for measuring the detector's memory per tracked key (Benchmarks/memory.sh).

    distinct-actors.py ACTORS [EVENTS_PER_ACTOR] | zstd -q -c > actors.jsonl.zst

Events come in time order; the same arguments give the same bytes.
"""
import sys
import time

actors = int(sys.argv[1])
per_actor = int(sys.argv[2]) if len(sys.argv) > 2 else 2
total = actors * per_actor
day_ms = 86_400_000
start_ms = 1_748_736_000_000  # 2025-06-01T00:00:00Z
out = sys.stdout
for n in range(total):
    actor = (n * 7_919) % actors  # every actor once per round, in a scrambled order
    time_ms = start_ms + n * day_ms // total
    seconds, millis = divmod(time_ms, 1000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + ".%03dZ" % millis
    out.write(
        '{"EventDate":"%s","Username":"user%07d@example.com","UserId":"005%012d",'
        '"Application":"app-%d","Client":"client-%d","Operation":"Query","QueriedEntities":"Contact",'
        '"Query":"SELECT Id, Name, Email FROM Contact","RowsProcessed":%d.0,"SourceIp":"10.%d.%d.1","EventIdentifier":"ev-%d"}\n'
        % (stamp, actor, actor, actor % 8, actor % 8, 20 + n % 50, (actor >> 8) % 16, actor % 256, n))
