#!/usr/bin/env bash
# Instructions and simulated cache misses per event of each stage, counted by cachegrind: the
# same on every run, so a change can be judged on a shared, noisy machine where wall times
# move by 10-40% between runs.
#
#   Benchmarks/instructions.sh [BINARY]     (default: a release build of this checkout)
#
# Runs, on three days of the connected-app-exfil simulation (700 agents, sf-rtem, seed 1):
#   zstd -dc FILES                      the decompression alone, for scale
#   exfilwatch lines --count            Source -> Decoder -> Framer
#   exfilwatch events --count           ... -> Parser
#   exfilwatch replay --threads 1       ... -> Detector -> Sink
# and prints instructions, first-level data cache misses (48 KiB) and misses of a 1 MiB
# second level (this machine's L2 per core), in all and per event. Compare two builds by
# passing each one's binary. Needs valgrind (apt-get install valgrind); cachegrind cannot read
# the toolchain's DWARF 5, so it runs a copy without debug information.
cd "$(dirname "$0")/.."
. Benchmarks/common.sh
command -v valgrind > /dev/null || { echo "valgrind is not installed: apt-get install valgrind" >&2; exit 1; }
if [ $# -ge 1 ]; then
  exfilwatch=$1
else
  build_exfilwatch
fi
directory="$work/sim-rtem-3d-700a"
if [ ! -f "$directory/labels.json" ]; then
  rm -rf "$directory"
  "$exfilwatch" simulate --scenario connected-app-exfil --format sf-rtem --days 3 --agents 700 \
    --seed 1 --out "$directory" > /dev/null
fi
files=$(ls "$directory"/*.zst | tr '\n' ' ')
stripped=$(mktemp)
output=$(mktemp)
trap 'rm -f "$stripped" "$output" "$output.findings"' EXIT
strip --strip-debug -o "$stripped" "$exfilwatch"
events=$("$exfilwatch" events --count --format sf-rtem $files | tail -n 1 | sed -E 's/.* ([0-9]+) events.*/\1/')

# count NAME COMMAND...: one row of the table.
count() {
  local name=$1
  shift
  valgrind --tool=cachegrind --cache-sim=yes --D1=49152,12,64 --LL=1048576,16,64 \
    --cachegrind-out-file=/dev/null "$@" > /dev/null 2> "$output" || true
  python3 - "$name" "$events" "$output" <<'PY'
import re, sys
name, events, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = open(path).read()
def total(label):
    match = re.search(label + r":\s+([\d,]+)", text)
    if not match:
        sys.exit(f"{name}: no '{label}' in cachegrind's output:\n{text[-2000:]}")
    return int(match.group(1).replace(",", ""))
counts = [total("I\s+refs"), total("D1\s+misses"), total("LLd misses")]
print(f"{name:34s}" + "".join(f"{value / 1e6:10.1f}M {value / events:9.1f}" for value in counts))
PY
}

echo "== $events events, $(zstd -dc $files | wc -c) bytes decoded ($directory)"
printf '%-34s%11s %9s%11s %9s%11s %9s\n' command instructions /event "D1 misses" /event "L2 misses" /event
count "zstd -dc" zstd -dc $files
count "exfilwatch lines --count" "$stripped" lines --count $files
count "exfilwatch events --count" "$stripped" events --count --format sf-rtem $files
rm -f "$output.findings"
count "exfilwatch replay --threads 1" "$stripped" replay --quiet --threads 1 --format sf-rtem \
  --sink "jsonl:$output.findings" $files
