#!/usr/bin/env bash
# Benchmarks: prints figures and ratios, never pass/fail (shared machines are noisy).
# Usage: bench/run.sh [suite...]     (no suite: all of them)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dotnet build bench/Collector.Bench -c Release -nologo -v quiet >/dev/null
bench="bench/Collector.Bench/bin/Release/net10.0/Collector.Bench.dll"
# One core, so figures are per core and the other core absorbs the machine's noise.
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
COLLECTOR_REPO="$root" "${pin[@]}" dotnet "$bench" "$@"
