#!/usr/bin/env bash
# Builds the libFuzzer executables and runs each fuzz target in turn for a fixed time.
#
#   Fuzz/run.sh [SECONDS_PER_TARGET [TARGET...]]      (default: 600, every target)
#
# Each target starts from its seeds (Fuzz/Corpus/<target>) plus what earlier runs found
# (.build-fuzz/corpus/<target>); crashes, timeouts, out-of-memory and leaks are written to
# .build-fuzz/artifacts/<target>/. Then a table: executions, speed, coverage, corpus, findings.
# Exits 1 when any target left an artifact. One target at a time, one process: a single core.
set -euo pipefail

seconds=${1:-600}
chosen=("${@:2}")
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
work="$root/.build-fuzz"

swift build --package-path "$fuzz" --scratch-path "$work/build" -c release -j 1 \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
bin=$(swift build --package-path "$fuzz" --scratch-path "$work/build" -c release --show-bin-path)

# Without this the Swift runtime's backtracer attaches to a crashing fuzzer and never returns.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=detect_leaks=1

# target, executable, longest input, dictionary
targets=(
  "decode FuzzDecode 8192 codecs.dict"
  "frame FuzzFrame 4096 formats.dict"
  "parse FuzzParse 4096 formats.dict"
  "pipeline FuzzPipeline 8192 formats.dict"
  "state FuzzState 65536 state.dict"
)

rows=()
findings=0
for entry in "${targets[@]}"; do
  read -r target executable maxLength dictionary <<<"$entry"
  if ((${#chosen[@]} > 0)) && [[ ! " ${chosen[*]} " =~ " $target " ]]; then continue; fi
  corpus="$work/corpus/$target"
  artifacts="$work/artifacts/$target"
  log="$work/logs/$target.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp -n "$fuzz/Corpus/$target/"* "$corpus/" 2>/dev/null || true
  echo "fuzzing $target for ${seconds}s (log: $log)"
  # libFuzzer exits non-zero on a finding (and stops there); the artifact count is the verdict.
  started=$(date +%s)
  timeout $((seconds + 300)) "$bin/$executable" "$corpus" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$maxLength" \
    -dict="$fuzz/Dictionaries/$dictionary" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$log" 2>&1 || true
  elapsed=$(($(date +%s) - started))
  stats=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$stats")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$stats")
  # The inputs libFuzzer keeps (the folder also holds those made redundant since).
  kept=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$stats")
  found=$(find "$artifacts" -type f -newermt "@$started" \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  findings=$((findings + found))
  rows+=("$(printf '%-9s %7s %12s %8s %6s %7s %7s %8s' "$target" "$elapsed" "${executions:-?}" \
    "${speed:-?}" "${cov:-?}" "${ft:-?}" "${kept:-?}" "$found")")
done

printf '%-9s %7s %12s %8s %6s %7s %7s %8s\n' target seconds executions exec/s cov ft corpus crashes
printf '%s\n' "${rows[@]}"
if ((findings > 0)); then
  echo "findings in $work/artifacts: reproduce with the target executable and the file" >&2
  exit 1
fi
