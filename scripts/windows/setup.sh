#!/usr/bin/env bash
# Prepares the Windows test leg (scripts/windows/test.sh) on a Debian machine: installs Wine and the mingw-w64
# cross compiler when missing, fetches the Windows build of Deno (npm @deno/win32-x64, the version package.json pins
# for the Linux Deno) and makes the three stand-ins Wine 8.0 needs to run it against a pseudo-terminal:
#   deno.exe             a copy with V8's VirtualAlloc2 lookup renamed (scripts/windows/patch_deno_exe.ts says why)
#   bcryptprimitives.dll ProcessPrng for Rust's std, which Wine 8.0 lacks (scripts/windows/bcryptprimitives.c)
#   pty_shim.so          parity read-back and DTR/RTS emulation on the pty (scripts/windows/pty_shim.c)
# and fills a Deno cache (deno-dir/) with the npm packages the code imports, fetched by the Linux Deno, so that the
# Windows Deno runs with --cached-only and needs no network (nor this network's proxy CA).
#
# Usage: scripts/windows/setup.sh [DIR]   DIR defaults to $FLASHRECIPE_WINE_DIR or ~/.cache/flashrecipe/windows;
# the path of DIR is the last line printed. deno.exe is fetched once per Deno version; the rest is rebuilt each run
# (a second or two). Needs `npm ci` done (the Linux Deno in node_modules/.bin).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-${FLASHRECIPE_WINE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flashrecipe/windows}}
deno=./node_modules/.bin/deno
[ -x "$deno" ] || { echo "setup: no node_modules/.bin/deno; run npm ci first" >&2; exit 1; }

missing=()
[ -x /usr/lib/wine/wine64 ] || missing+=(wine wine64)
command -v x86_64-w64-mingw32-gcc > /dev/null || missing+=(gcc-mingw-w64-x86-64-win32)
command -v gcc > /dev/null || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

version=$(node -p 'require("./package.json").devDependencies.deno')
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "setup: package.json pins no deno version ($version)" >&2; exit 1; }
mkdir -p "$out"
exe=$out/deno-$version.exe
if [ ! -f "$exe" ]; then
  echo "setup: fetching @deno/win32-x64@$version" >&2
  pack=$(mktemp -d)
  (cd "$pack" && npm pack --silent "@deno/win32-x64@$version" > /dev/null && tar xzf ./*.tgz package/deno.exe)
  "$deno" run --allow-read --allow-write scripts/windows/patch_deno_exe.ts "$pack/package/deno.exe" "$exe.$$"
  mv "$exe.$$" "$exe"
  rm -rf "$pack"
fi

# Built beside and renamed into place, so that a run of the leg that is using the previous build keeps its copy.
x86_64-w64-mingw32-gcc -O2 -Wall -shared -s -o "$out/bcryptprimitives.dll.$$" scripts/windows/bcryptprimitives.c -ladvapi32
mv "$out/bcryptprimitives.dll.$$" "$out/bcryptprimitives.dll"
gcc -O2 -Wall -shared -fPIC -o "$out/pty_shim.so.$$" scripts/windows/pty_shim.c -ldl
mv "$out/pty_shim.so.$$" "$out/pty_shim.so"

# The npm packages behind deno.json's npm: imports, in a cache the Windows Deno reads as it is (the npm part of a
# Deno cache is the registry's tarballs unpacked, the same on every OS).
DENO_DIR=$out/deno-dir "$deno" cache --frozen --quiet main.ts $(grep -v "^#" scripts/windows/unit_tests.txt)
echo "$out"
