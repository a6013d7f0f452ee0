#!/usr/bin/env bash
# Publishes collect for each runtime id given (default: win-x64 win-arm64) with the design's
# recipe (section 3), the layout `bench/run.sh firstrun` chose: self-contained, trimmed, single
# file that extracts nothing (so a fresh device's %TEMP% stays empty), its assemblies compressed,
# ReadyToRun (composite, as in any single file), invariant
# globalization (WinPE may lack ICU). SQLite's native library is not bundled: it sits beside the
# exe (e_sqlite3.dll on Windows), as extracting it would write it into every device's %TEMP%.
# Output: artifacts/publish/stick/<rid>/ (collect.exe and e_sqlite3.dll: the whole folder is the build).
# Usage: build/publish-stick.sh [rid...]                      e.g. build/publish-stick.sh win-x64
#        build/publish-stick.sh -project DIR -name NAME [rid...] (another program, same recipe:
#                                                                 artifacts/publish/NAME/<rid>/)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
project="$root/src/Collector.Stick"
name=stick
while [ $# -gt 0 ]; do
  case "$1" in
    -project) project="$2"; shift 2 ;;
    -name) name="$2"; shift 2 ;;
    *) break ;;
  esac
done
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(win-x64 win-arm64)

for rid in "${rids[@]}"; do
  out="$root/artifacts/publish/$name/$rid"
  # From scratch: the firstrun bench publishes other layouts through the same obj and bin folders,
  # and none of their R2R, composite or trimmed pieces may end up in this one.
  rm -rf "$out" "$project/obj/Release/net10.0/$rid" "$project/bin/Release/net10.0/$rid"
  dotnet publish "$project" -c Release -r "$rid" --self-contained \
    -p:PublishTrimmed=true -p:PublishSingleFile=true \
    -p:IncludeNativeLibrariesForSelfExtract=false -p:IncludeAllContentForSelfExtract=false \
    -p:EnableCompressionInSingleFile=true -p:PublishReadyToRun=true \
    -p:InvariantGlobalization=true -p:DebugType=None \
    -o "$out" -nologo -v quiet >&2
  ls "$out"/*
done
