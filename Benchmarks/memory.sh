#!/usr/bin/env bash
# Peak memory of `exfilwatch replay`: against the keys it tracks, and against the input's size.
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

# peak NAME FILES...: one replay; prints NAME, peak RSS in KiB and the keys tracked.
peak() {
  local name=$1
  shift
  python3 - "$exfilwatch" "$@" <<'EOF' | sed "s/^/$name /"
import os, re, subprocess, sys
process = subprocess.Popen(
    [sys.argv[1], "replay", "--sink", "jsonl:/dev/null", *sys.argv[2:]],
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
summary = process.stderr.read()
_, status, usage = os.wait4(process.pid, 0)
keys = re.search(r"(\d+) keys tracked", summary)
print(usage.ru_maxrss, keys.group(1) if keys else "?")
EOF
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
