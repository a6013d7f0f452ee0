#!/usr/bin/env bash
# Builds a release into dist/:
#   dist/stick/                 a complete stick image minus stick.json (usb-layout + collect.exe x64,
#                               and arm64 where the package feed has the win-arm64 runtime)
#   dist/collector-<rid>/       the desk tool for linux-x64 and win-x64, each with the stick image
#                               beside it in stick/ (where `collector stick init` looks for it)
# Usage: build/release.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dist="$root/dist"
rm -rf "$dist"
mkdir -p "$dist" artifacts

echo "release: publishing collect.exe (win-x64)" >&2
rm -rf artifacts/publish/stick
bash build/publish-stick.sh win-x64 >/dev/null
# win-arm64 needs Microsoft.NETCore.App.Runtime.win-arm64 from the package feed. Where the feed
# lacks it, the release goes on without collect.exe for ARM64 and says so: Collect.cmd on an
# ARM64 device then runs the x64 build under Windows 11's x64 emulation (and on Windows 10 on ARM
# or WinPE on ARM64, which cannot, says to capture from Windows 11 OOBE: exit 6).
echo "release: publishing collect.exe (win-arm64)" >&2
if ! bash build/publish-stick.sh win-arm64 >/dev/null 2>artifacts/publish-arm64.log; then
  echo "release: WARNING: collect.exe for win-arm64 could not be built (see artifacts/publish-arm64.log:" >&2
  echo "release:   $(grep -m1 -o 'error NU1101: Unable to find package [A-Za-z0-9.-]*' artifacts/publish-arm64.log || tail -n 1 artifacts/publish-arm64.log))" >&2
  echo "release:   ARM64: captured through x64 emulation on Windows 11 (not on Windows 10 on ARM or WinPE on ARM64)" >&2
fi

for rid in linux-x64 win-x64; do
  echo "release: publishing collector ($rid)" >&2
  dotnet publish src/Collector.Workstation -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:EnableCompressionInSingleFile=true -p:DebugType=None \
    -o "$dist/collector-$rid" -nologo -v quiet >&2
done

stick="$dist/stick"
mkdir -p "$stick/collector/x64" "$stick/collector/data"
cp -R usb-layout/. "$stick/"
# A build is its whole publish folder (collect.exe and e_sqlite3.dll beside it: build/publish-stick.sh).
cp -R artifacts/publish/stick/win-x64/. "$stick/collector/x64/"
if [ -s artifacts/publish/stick/win-arm64/collect.exe ]; then
  mkdir -p "$stick/collector/arm64"
  cp -R artifacts/publish/stick/win-arm64/. "$stick/collector/arm64/"
fi

# Every file a stick needs (StickImage.RequiredFiles), and each desk build: say which is missing.
required=(
  stick/Collect.cmd stick/README-TECHNICIAN.txt
  stick/collector/x64/collect.exe stick/collector/x64/e_sqlite3.dll
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
( cd "$dist" && find . -type f \( -name 'collect.exe' -o -name 'e_sqlite3.dll' -o -name 'collector' -o -name 'collector.exe' \) -printf '%s\t%p\n' | sort -k2 )
