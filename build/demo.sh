#!/usr/bin/env bash
# The main job, end to end, on the embedded sample devices (samples/oa3/*.xml, made by the
# codec's builder): build a release, lay out a stick folder with `collector stick init`, capture
# every sample device onto it with `collect --oa3-report`, sync the stick into a hub (and into an
# Azure table when COLLECTOR_TABLE is set), export the Intune CSV batches, write the HTML report,
# say where they are.
#
# Usage: bash build/demo.sh [OUTPUT_DIR]        (default: artifacts/demo; it is emptied first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$(mkdir -p "${1:-$root/artifacts/demo}" && cd "${1:-$root/artifacts/demo}" && pwd)"
tenant="${COLLECTOR_DEMO_TENANT:-5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01}"   # a made-up tenant id
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rm -rf "${out:?}"/*
mkdir -p "$out/stick"

step() { printf '\n== %s\n' "$*"; }

step "1/6 build: a release in dist/ (collect.exe for Windows x64/arm64, collector for Linux/Windows)"
bash build/release.sh
collector="$root/dist/collector-linux-x64/collector"
# collect.exe is a Windows program; on this Linux desk the same code runs as the portable build.
dotnet build src/Collector.Stick -c Release -nologo -v quiet >/dev/null
collect=(dotnet "$root/src/Collector.Stick/bin/Release/net10.0/collect.dll")

step "2/6 stick: lay out $out/stick from the release's stick image"
"$collector" stick init "$out/stick" --tenant "$tenant" --group-tag Demo --site "Demo warehouse" --technician demo

step "3/6 capture: the sample devices, one collect each, as a technician would at each device"
for report in samples/oa3/*.xml; do
  printf -- '-- %s\n' "$(basename "$report")"
  "${collect[@]}" --stick "$out/stick" --oa3-report "$report"
done

step "4/6 sync: merge the stick into the hub${COLLECTOR_TABLE:+ and upload to the table in COLLECTOR_TABLE}"
"$collector" sync "$out/stick" --hub "$out/hub.db"

step "5/6 export: CSV batches for Intune"
"$collector" export --hub "$out/hub.db" --out "$out/csv"

step "6/6 report: one HTML page about the hub, for people who'd rather look"
"$collector" report --hub "$out/hub.db" --out "$out/report.html"

step "done"
echo "stick:       $out/stick"
echo "hub:         $out/hub.db"
echo "report:      $out/report.html"
echo "CSV batches: $out/csv"
ls -1 "$out/csv"
