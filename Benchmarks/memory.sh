#!/usr/bin/env bash
# Peak memory of `exfilwatch replay`: against the keys it tracks, and against the input's size;
# then `exfilwatch scan` with its state file, at 100,000 keys.
#
#   Benchmarks/memory.sh
#
# Keys: sf-rtem inputs with 1,000, 100,000 and 1,000,000 distinct actors (distinct-actors.py:
# 20, 20 and 2 reads each, 4,096 IPs, 8 apps) and the first day of a two-day sf-elf simulation
# of 100,000 agents (the attack scenario needs two days);
# prints peak RSS, keys tracked and the bytes per key beyond the 1,000-actor run's RSS.
# Size: a 120-day sf-rtem simulation of 700 agents (made once, about 650 MB of zstd files),
# its first 12 days (about 1 GB decoded) and all 120 (about 10 GB): the same keys, ten times
# the input.
cd "$(dirname "$0")/.."
. Benchmarks/common.sh
build_exfilwatch

make_actors() {
  local data="$work/actors-$1.jsonl.zst"
  [ -f "$data" ] || python3 Benchmarks/distinct-actors.py "$1" "$2" | zstd -q -c > "$data"
  echo "$data"
}

make_agents_day() {
  local directory="$work/mem-100k"
  if [ ! -f "$directory/API-2025-06-01.csv.zst" ]; then
    "$exfilwatch" simulate --scenario connected-app-exfil --format sf-elf --days 2 --agents 100000 \
      --seed 1 --out "$directory" > /dev/null
  fi
  echo "$directory/API-2025-06-01.csv.zst"
}

make_long_simulation() {
  local directory="$work/size-rtem-120d-700a"
  if [ ! -f "$directory/labels.json" ]; then
    rm -rf "$directory"
    "$exfilwatch" simulate --scenario connected-app-exfil --format sf-rtem --days 120 --agents 700 \
      --seed 1 --out "$directory" > /dev/null
  fi
  echo "$directory"
}

# measured COMMAND...: runs it once; prints its wall seconds, peak RSS in KiB and the keys it
# tracked (from its summary). Exit status 0 or 1 (findings) is success.
measured() {
  python3 - "$@" <<'EOF'
import os, re, subprocess, sys, time
started = time.monotonic()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
summary = process.stderr.read()
_, status, usage = os.wait4(process.pid, 0)
if os.waitstatus_to_exitcode(status) not in (0, 1):
    sys.exit(f"{' '.join(sys.argv[1:])} failed:\n{summary}")
keys = re.search(r"(\d+) keys tracked", summary)
print(f"{time.monotonic() - started:.1f}", usage.ru_maxrss, keys.group(1) if keys else "?")
EOF
}

# peak NAME FILES...: one replay; prints NAME, peak RSS in KiB and the keys tracked.
peak() {
  local name=$1
  shift
  read -r _ kib keys <<< "$(measured "$exfilwatch" replay --sink jsonl:/dev/null "$@")"
  echo "$name $kib $keys"
}

small=$(peak "1k-actors" "$(make_actors 1000 20)")
base_kib=$(echo "$small" | cut -d' ' -f2)
printf '%-26s %14s %12s %14s\n' "input" "peak RSS MiB" "keys" "bytes/key"
for line in "$small" \
  "$(peak "100k-actors" "$(make_actors 100000 20)")" \
  "$(peak "1M-actors" "$(make_actors 1000000 2)")" \
  "$(peak "sf-elf-day-100k-agents" "$(make_agents_day)")"; do
  read -r name kib keys <<< "$line"
  per_key=$(( keys > 0 ? (kib - base_kib) * 1024 / keys : 0 ))
  printf '%-26s %14.1f %12s %14s\n' "$name" "$(awk "BEGIN { print $kib / 1024 }")" "$keys" "$per_key"
done

long=$(make_long_simulation)
echo
printf '%-26s %14s %12s\n' "input size" "peak RSS MiB" "keys"
for days in 12 120; do
  files=$(ls "$long"/*.zst | head -n "$days")
  read -r name kib keys <<< "$(peak "sf-rtem-${days}d" $files)"
  printf '%-26s %14.1f %12s   (%s MB decoded)\n' "$name" "$(awk "BEGIN { print $kib / 1024 }")" "$keys" \
    "$(( $(zstd -dc $files | wc -c) / 1000000 ))"
done

# `scan` keeps its state file: on the 100,000-actor input, a first run (which writes the
# state) and a second with nothing new to read (which restores the state and saves it again).
state=$(mktemp -d)
echo
printf '%-26s %10s %14s %14s\n' "scan, 100k actors" "wall s" "peak RSS MiB" "state file MB"
for run in new-state nothing-new; do
  read -r seconds kib _ <<< "$(measured "$exfilwatch" scan --state "$state/scan.state" --sink jsonl:/dev/null \
    "$(make_actors 100000 20)")"
  printf '%-26s %10s %14.1f %14.1f\n' "$run" "$seconds" "$(awk "BEGIN { print $kib / 1024 }")" \
    "$(awk "BEGIN { print $(stat -c %s "$state/scan.state") / 1000000 }")"
done
rm -rf "$state"
