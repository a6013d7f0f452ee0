#!/usr/bin/env bash
# Builds a release into dist/:
#   dist/stick/                 a complete stick image minus stick.json (usb-layout + collect.exe x64/arm64)
#   dist/collector-<rid>/       the desk tool for linux-x64 and win-x64, each with the stick image
#                               beside it in stick/ (where `collector stick init` looks for it)
# Usage: build/release.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dist="$root/dist"
rm -rf "$dist"
mkdir -p "$dist"

echo "release: publishing collect.exe (win-x64, win-arm64)" >&2
bash build/publish-stick.sh win-x64 win-arm64 >/dev/null

for rid in linux-x64 win-x64; do
  echo "release: publishing collector ($rid)" >&2
  dotnet publish src/Collector.Workstation -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:EnableCompressionInSingleFile=true -p:DebugType=None \
    -o "$dist/collector-$rid" -nologo -v quiet >&2
done

stick="$dist/stick"
mkdir -p "$stick/collector/x64" "$stick/collector/arm64" "$stick/collector/data"
cp -R usb-layout/. "$stick/"
cp artifacts/publish/stick/win-x64/collect.exe "$stick/collector/x64/collect.exe"
cp artifacts/publish/stick/win-arm64/collect.exe "$stick/collector/arm64/collect.exe"

# Every file a stick needs (StickImage.RequiredFiles), and each desk build: say which is missing.
required=(
  stick/Collect.cmd stick/README-TECHNICIAN.txt
  stick/collector/x64/collect.exe stick/collector/arm64/collect.exe
  stick/collector/tools/OA3.cfg stick/collector/tools/input.xml stick/collector/tools/README.txt
  collector-linux-x64/collector collector-win-x64/collector.exe
)
for file in "${required[@]}"; do
  if [ ! -s "$dist/$file" ]; then
    echo "release: dist/$file is missing: its build failed (see the output above)" >&2
    exit 1
  fi
done

for rid in linux-x64 win-x64; do
  cp -R "$stick" "$dist/collector-$rid/stick"
done

echo "release: done" >&2
( cd "$dist" && find . -type f \( -name 'collect.exe' -o -name 'collector' -o -name 'collector.exe' \) -printf '%s\t%p\n' | sort -k2 )
