#!/usr/bin/env bash
# Renders the HTML report of the bundled attack scenario in headless Chromium (Debian's
# `chromium` package) and fails on any console message (a script error, a blocked fetch, a
# refused resource): the page must render offline, on its own. Leaves the page and a
# screenshot in OUT (default .build-report/) to look at.
#
#   Tests/Scripts/check-report-renders.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-.build-report}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 2; }

swift build --product exfilwatch >/dev/null
exfilwatch="$(swift build --show-bin-path)/exfilwatch"
rm -f "$out/findings.jsonl"
"$exfilwatch" replay --quiet --sink "jsonl:$out/findings.jsonl" SampleLogs/simulated/connected-app-exfil || [ $? -eq 1 ]
"$exfilwatch" report "$out/findings.jsonl" --html "$out/report.html"

# --enable-logging=stderr prints the page's console messages as "CONSOLE(...)" lines and
# refused loads as "Refused to ..." (dbus complaints of a machine without a session bus are not
# the page's).
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --no-first-run --enable-logging=stderr --v=0 \
  --window-size=1100,2600 --screenshot="$out/report.png" "file://$out/report.html" 2>"$out/chromium.log" || true
if grep -E "CONSOLE|Refused to|Uncaught" "$out/chromium.log"; then
  echo "report.html: console messages in headless Chromium (see $out/chromium.log)" >&2
  exit 1
fi
size=$(stat -c %s "$out/report.png" 2>/dev/null || echo 0)
if [ "$size" -lt 10000 ]; then
  echo "report.png: no screenshot ($size bytes; see $out/chromium.log)" >&2
  exit 1
fi
echo "rendered without console messages: $out/report.html, screenshot $out/report.png ($size bytes)"
