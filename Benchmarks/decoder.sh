#!/usr/bin/env bash
# Decoder and line framer throughput and memory against `zstd -dc`, on the same file, in one run.
#
#   Benchmarks/decoder.sh [SIZE_MB] [RUNS]      (defaults: 1024 MB decompressed, 5 runs)
#
# Builds release binaries, makes a zstd file of about SIZE_MB decompressed from the bundled
# Salesforce sample (repeated; one frame from a pipe, unknown content size, default level), checks
# that `exfilwatch lines --count` agrees with `zstd -dc | wc -l`, then times alternately:
#   zstd -dc FILE > /dev/null                 the baseline: libzstd alone, via the zstd tool
#   decode-throughput FILE                    the Decoder stage alone (Source -> Decoder)
#   exfilwatch lines --count FILE             Source -> Decoder -> LineFramer -> count
# Wall and CPU times are medians; memory is the peak RSS of any run.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
runs=${2:-5}
work=${BENCH_DIR:-.build-bench}
mkdir -p "$work"

swift build -c release --product exfilwatch >/dev/null
swift build -c release --package-path Benchmarks --product decode-throughput >/dev/null
exfilwatch=$(swift build -c release --show-bin-path)/exfilwatch
decode=$(swift build -c release --package-path Benchmarks --show-bin-path)/decode-throughput

data="$work/rtem-${size_mb}MB.jsonl.zst"
if [ ! -f "$data" ]; then
  sample=$(mktemp)
  zstd -dc SampleLogs/salesforce-rtem/*.jsonl.zst > "$sample"
  copies=$(( (size_mb * 1024 * 1024 + $(stat -c %s "$sample") / 2) / $(stat -c %s "$sample") ))
  for _ in $(seq "$copies"); do cat "$sample"; done | zstd -q -3 -c > "$data.tmp"
  mv "$data.tmp" "$data"
  rm -f "$sample"
fi
echo "file: $data ($(stat -c %s "$data") bytes compressed)"

expected=$(zstd -dc "$data" | wc -l)
counted=$("$exfilwatch" lines --count "$data" | cut -d' ' -f1)
echo "lines: zstd -dc | wc -l = $expected, exfilwatch lines --count = $counted"
[ "$expected" = "$counted" ] || { echo "MISMATCH"; exit 1; }

python3 Benchmarks/measure.py --runs "$runs" --baseline "zstd -dc" \
  "zstd -dc=zstd -dc '$data' > /dev/null" \
  "decode-throughput=$decode '$data' > /dev/null" \
  "exfilwatch lines --count=$exfilwatch lines --count '$data' > /dev/null"
