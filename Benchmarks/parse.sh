#!/usr/bin/env bash
# Parser throughput (events/s, MB/s) for sf-rtem and sf-elf against `zstd -dc` on the same
# files, in one run.
#
#   Benchmarks/parse.sh [SIZE_MB] [RUNS]        (defaults: 512 MB decompressed each, 5 runs)
#
# For each format: a zstd file of about SIZE_MB decompressed made from the bundled sample, then
# alternately `zstd -dc FILE > /dev/null`, `exfilwatch lines --count FILE` and
# `exfilwatch events --count --format F FILE` (Source -> Decoder -> Framer -> Parser).
cd "$(dirname "$0")/.."
. Benchmarks/common.sh
size_mb=${1:-512}
runs=${2:-5}

build_exfilwatch
for spec in "sf-rtem:SampleLogs/salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst" \
            "sf-elf:SampleLogs/salesforce-elf/API-2025-06-30.csv.gz"; do
  format=${spec%%:*}
  data=$(make_dataset "$format" "$size_mb" "${spec#*:}")
  decoded=$(zstd -dc "$data" | wc -c)
  summary=$("$exfilwatch" events --count --format "$format" "$data")
  events=$(echo "$summary" | sed -E 's/.* ([0-9]+) events.*/\1/')
  echo
  echo "== $format: $data: $decoded bytes decoded, $(stat -c %s "$data") compressed"
  echo "   $summary"
  python3 Benchmarks/measure.py --runs "$runs" --baseline "zstd -dc" \
    --throughput "$decoded:$events" \
    "zstd -dc=zstd -dc '$data' > /dev/null" \
    "exfilwatch lines --count=$exfilwatch lines --count '$data' > /dev/null" \
    "exfilwatch events --count=$exfilwatch events --count --format $format '$data' > /dev/null"
done
