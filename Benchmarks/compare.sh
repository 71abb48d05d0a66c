#!/usr/bin/env bash
# The whole pipeline against `zstd -dc` on the same files, in one run: how far ExfilWatch is
# from the decompression limit.
#
#   Benchmarks/compare.sh [RUNS]                 (default: 3 runs of each command)
#
# Makes (once, into $BENCH_DIR, default .build-bench) two fixed datasets with
# `exfilwatch simulate` (the connected-app-exfil scenario, seed 1): daily zstd files of
# Salesforce RTEM JSON lines, at least 2 GB decompressed, and of ELF CSV, at least 1 GB. Then,
# for each, times alternately:
#   zstd -dc FILES > /dev/null                     the baseline: libzstd alone
#   exfilwatch lines --count FILES                 Source -> Decoder -> Framer
#   exfilwatch events --count FILES                ... -> Parser
#   exfilwatch replay --sink jsonl:OUT FILES       ... -> Detector -> Sink (the real job,
#                                                  default threads: all cores)
#   exfilwatch replay --threads 1 ...              the same on one thread
# and prints median wall time, CPU time, peak RSS, and each one's ratio to `zstd -dc`; then,
# from one more replay, each thread's CPU time and how long it waited for the other (the one
# that did not wait sets the pace).
cd "$(dirname "$0")/.."
. Benchmarks/common.sh
runs=${1:-3}

build_exfilwatch

# make_simulation FORMAT DAYS AGENTS: the directory of daily files (made once).
make_simulation() {
  local directory="$work/compare-$1-$2d-$3a"
  if [ ! -f "$directory/labels.json" ]; then
    rm -rf "$directory"
    "$exfilwatch" simulate --scenario connected-app-exfil --format "$1" --days "$2" --agents "$3" \
      --seed 1 --out "$directory" > /dev/null
  fi
  echo "$directory"
}

for spec in "sf-rtem:30:700:2000" "sf-elf:30:1500:1000"; do
  IFS=: read -r format days agents minimum_mb <<< "$spec"
  directory=$(make_simulation "$format" "$days" "$agents")
  files=$(ls "$directory"/*.zst | tr '\n' ' ')
  decoded=$(zstd -dc $files | wc -c)
  compressed=$(cat $files | wc -c)
  if [ "$decoded" -lt $(( minimum_mb * 1000 * 1000 )) ]; then
    echo "$format: only $decoded bytes decoded, less than $minimum_mb MB: raise the agents" >&2
    exit 1
  fi
  events=$("$exfilwatch" events --count --format "$format" $files | tail -n 1 | sed -E 's/.* ([0-9]+) events.*/\1/')
  out="$work/compare-$format-findings.jsonl"
  echo
  echo "== $format: $(echo $files | wc -w) files, $decoded bytes decoded, $compressed compressed, $events events"
  # replay exits 1 when it writes findings, as it does here (the scenario holds an attack).
  python3 Benchmarks/measure.py --runs "$runs" --baseline "zstd -dc" --throughput "$decoded:$events" \
    "zstd -dc=zstd -dc $files > /dev/null" \
    "exfilwatch lines --count=$exfilwatch lines --count $files > /dev/null" \
    "exfilwatch events --count=$exfilwatch events --count --format $format $files > /dev/null" \
    "exfilwatch replay=rm -f '$out'; $exfilwatch replay --quiet --format $format --sink 'jsonl:$out' $files; [ \$? -eq 1 ]" \
    "exfilwatch replay --threads 1=rm -f '$out.1'; $exfilwatch replay --quiet --threads 1 --format $format --sink 'jsonl:$out.1' $files; [ \$? -eq 1 ] && cmp -s '$out' '$out.1'"
  # (Exit status 1: findings written, as above; anything else stops the script.)
  { "$exfilwatch" replay --log-level debug --format "$format" --sink jsonl:/dev/null $files 2>&1 > /dev/null \
    || [ $? -eq 1 ]; } \
    | awk '/^exfilwatch: threads: / { sub(/^exfilwatch: threads: /, "replay threads: "); print; found = 1 }
           END { if (!found) print "replay threads: not reported (one thread?)" }'
done
