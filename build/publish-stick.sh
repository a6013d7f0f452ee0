#!/usr/bin/env bash
# Publishes collect for each runtime id given (default: win-x64 win-arm64) with the design's
# recipe (section 3): self-contained single file, native libraries and all content inside,
# compressed, invariant globalization (WinPE may lack ICU), untrimmed (System.Management breaks),
# ReadyToRun (set in the project for any runtime id). Output: artifacts/publish/stick/<rid>/.
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
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:IncludeAllContentForSelfExtract=true -p:EnableCompressionInSingleFile=true \
    -p:InvariantGlobalization=true -p:PublishTrimmed=false -p:DebugType=None \
    -o "$out" -nologo -v quiet >&2
  ls "$out"/*
done
