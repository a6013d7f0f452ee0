#!/usr/bin/env bash
# The README's picture of the report: headless Chromium renders the demo's report
# (artifacts/demo/report.html, written by build/demo.sh) into docs/report.png.
# Usage: bash build/report-screenshot.sh [REPORT.html] [OUT.png]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
report="$(cd "$(dirname "${1:-$root/artifacts/demo/report.html}")" && pwd)/$(basename "${1:-report.html}")"
png="${2:-$root/docs/report.png}"
[ -f "$report" ] || { echo "report-screenshot: no $report: run bash build/demo.sh first" >&2; exit 1; }
mkdir -p "$(dirname "$png")"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# A fresh profile, nothing fetched from outside; as root Chromium needs --no-sandbox.
/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
  --hide-scrollbars --window-size=1100,2600 --screenshot="$png" "file://$report" 2>/dev/null
echo "report-screenshot: $png"
