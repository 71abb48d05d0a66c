# Shared by the benchmark scripts: release builds and the datasets, made once into $work.
# Source it from the repository root: `. Benchmarks/common.sh`.
set -euo pipefail
work=${BENCH_DIR:-.build-bench}
mkdir -p "$work"

# Builds the release `exfilwatch`; sets $exfilwatch.
build_exfilwatch() {
  swift build -c release --product exfilwatch >/dev/null
  exfilwatch=$(swift build -c release --show-bin-path)/exfilwatch
}

# make_dataset NAME SIZE_MB SAMPLE: a zstd file of about SIZE_MB decompressed, made of copies of
# the decompressed SAMPLE (a CSV sample keeps its header only once), compressed from a pipe at
# the default level (one frame, unknown content size). Prints its path.
make_dataset() {
  local name=$1 size_mb=$2 sample=$3
  local data="$work/$name-${size_mb}MB.zst"
  if [ ! -f "$data" ]; then
    local plain body
    plain=$(mktemp)
    body=$(mktemp)
    case "$sample" in
      *.gz) gzip -dc "$sample" > "$plain" ;;
      *) zstd -dc "$sample" > "$plain" ;;
    esac
    case "$sample" in
      *.csv.*) tail -n +2 "$plain" > "$body" ;;
      *) cp "$plain" "$body" ;;
    esac
    local copies=$(( (size_mb * 1024 * 1024 + $(stat -c %s "$body") / 2) / $(stat -c %s "$body") ))
    {
      case "$sample" in *.csv.*) head -n 1 "$plain" ;; esac
      for _ in $(seq "$copies"); do cat "$body"; done
    } | zstd -q -3 -c > "$data.tmp"
    mv "$data.tmp" "$data"
    rm -f "$plain" "$body"
  fi
  echo "$data"
}
