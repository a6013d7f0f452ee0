#!/usr/bin/env bash
# Runs every test: installs the real parts they use, builds, runs `dotnet test` on the whole
# solution, and ends with one line counted from the TRX results: "N passed, M failed, K skipped".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash build/tools.sh || { echo "0 passed, 1 failed (tool install failed)"; exit 1; }

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build Collector.sln -c Debug -nologo -v quiet; then
  echo "0 passed, 1 failed (build failed)"
  exit 1
fi

# The system tests run the release (build/release.sh: collect.exe by the design's recipe, the
# published collector with its stick image) under Wine and Linux, the stand-in oa3tool.exe and
# the WMI probe.
# The WMI probe (tests/WmiProbe: collect's WMI code) is published with the stick's recipe, so
# what runs under Wine is trimmed and laid out as collect.exe is.
if ! bash build/release.sh >/dev/null \
  || ! dotnet publish tests/Oa3ToolStandIn -c Release -r win-x64 -o artifacts/publish/oa3tool-standin -nologo -v quiet >/dev/null \
  || ! bash build/publish-stick.sh -project tests/WmiProbe -name wmi-probe win-x64 >/dev/null; then
  echo "0 passed, 1 failed (building the release, the oa3tool stand-in or the WMI probe failed)"
  exit 1
fi

dotnet test Collector.sln --no-build -c Debug --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@"
status=$?

passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

projects=$(ls tests/*/*.Tests.csproj tests/*/*Tests.csproj 2>/dev/null | sort -u | wc -l)
if [ "$files" -lt "$projects" ]; then
  # a test host that crashed writes no results: count each missing assembly as a failure
  failed=$((failed + projects - files))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
