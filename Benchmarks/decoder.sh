#!/usr/bin/env bash
# Decoder and line framer throughput and memory against `zstd -dc`, on the same file, in one run.
#
#   Benchmarks/decoder.sh [SIZE_MB] [RUNS]      (defaults: 1024 MB decompressed, 5 runs)
#
# Makes a zstd file of about SIZE_MB decompressed from the bundled Salesforce RTEM sample,
# checks that `exfilwatch lines --count` agrees with `zstd -dc | wc -l`, then times alternately:
#   zstd -dc FILE > /dev/null                 the baseline: libzstd alone, via the zstd tool
#   decode-throughput FILE                    the Decoder stage alone (Source -> Decoder)
#   exfilwatch lines --count FILE             Source -> Decoder -> LineFramer -> count
# Wall and CPU times are medians; memory is the peak RSS of any run.
cd "$(dirname "$0")/.."
. Benchmarks/common.sh
size_mb=${1:-1024}
runs=${2:-5}

build_exfilwatch
swift build -c release --package-path Benchmarks --product decode-throughput >/dev/null
decode=$(swift build -c release --package-path Benchmarks --show-bin-path)/decode-throughput
data=$(make_dataset rtem "$size_mb" SampleLogs/salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst)
echo "file: $data ($(stat -c %s "$data") bytes compressed)"

expected=$(zstd -dc "$data" | wc -l)
counted=$("$exfilwatch" lines --count "$data" | cut -d' ' -f1)
echo "lines: zstd -dc | wc -l = $expected, exfilwatch lines --count = $counted"
[ "$expected" = "$counted" ] || { echo "MISMATCH"; exit 1; }

python3 Benchmarks/measure.py --runs "$runs" --baseline "zstd -dc" \
  "zstd -dc=zstd -dc '$data' > /dev/null" \
  "decode-throughput=$decode '$data' > /dev/null" \
  "exfilwatch lines --count=$exfilwatch lines --count '$data' > /dev/null"
