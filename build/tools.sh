#!/usr/bin/env bash
# Installs what the tests use into .tools/ (and Debian packages when run as root: Wine, the exFAT
# tools, Node for Azurite, Chromium).
# Sourced by build/test.sh; safe to run again: it only installs what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

AZURITE_VERSION=3.37.0     # pinned exactly: Node 20 is older than it asks for; it warns and works
PWSH_VERSION=7.6.9

need_apt=()
command -v /usr/lib/wine/wine64 >/dev/null 2>&1 || need_apt+=(wine64)
command -v mount.exfat-fuse >/dev/null 2>&1 || need_apt+=(exfat-fuse)
command -v mkfs.exfat >/dev/null 2>&1 || need_apt+=(exfatprogs)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v /usr/bin/sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
# Headless Chromium opens the HTML report in the tests (its DOM, a screenshot, its console).
command -v /usr/bin/chromium >/dev/null 2>&1 || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "tools: installing ${need_apt[*]} (apt)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "tools: missing ${need_apt[*]}; install them: sudo apt-get install -y ${need_apt[*]}" >&2
    echo "tools: (the tests that need them will fail, not skip)" >&2
  fi
fi

if [ ! -x "$tools/azurite/node_modules/.bin/azurite-table" ]; then
  echo "tools: installing azurite@$AZURITE_VERSION (npm)" >&2
  npm install --prefix "$tools/azurite" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >/dev/null
fi

if [ ! -x "$tools/pwsh/pwsh" ]; then
  echo "tools: installing PowerShell $PWSH_VERSION (dotnet tool)" >&2
  dotnet tool install --tool-path "$tools/pwsh" PowerShell --version "$PWSH_VERSION" >/dev/null
fi
