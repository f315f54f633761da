#!/usr/bin/env bash
# Builds libusb-1.0.dll for 64-bit Windows from Debian's libusb source package with mingw-w64, for shipping beside
# flashrecipe.exe (the first place the Windows build looks: lib/transport/usb/libusb_ffi.ts, libusbCandidates).
#
#   bash scripts/libusb_windows/build_dll.sh [OUT_DIR]     # default dist/windows
#
# Needs root for apt-get (as on the project's machines) and gcc-mingw-w64-x86-64-win32. The source comes from the
# Debian mirror the system already uses: a private deb-src list built from /etc/apt's own entries, so the system's
# apt configuration is left untouched; apt checks the files against the signed Sources index. The DLL is checked
# to export every function flashrecipe binds (LIBUSB_SYMBOLS) and to need nothing beyond Windows' own
# KERNEL32.dll and msvcrt.dll. libusb is LGPL-2.1: its COPYING goes beside the DLL, which users may replace.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-dist/windows}
deno=./node_modules/.bin/deno
host=x86_64-w64-mingw32
command -v "$host-gcc" > /dev/null || { echo "build_dll: $host-gcc missing (apt-get install gcc-mingw-w64-x86-64-win32)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/src"
# deb-src twins of the system's deb entries (deb822 .sources files and one-line lists alike).
{
  cat /etc/apt/sources.list.d/*.sources 2> /dev/null | sed 's/^Types: deb$/Types: deb-src/'
} > "$work/src.sources"
{ grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list || true; } | sed 's/^deb /deb-src /' > "$work/src.list"
mkdir -p "$work/parts" && cp "$work/src.sources" "$work/parts/src.sources"
apt_opts=(-o "Dir::Etc::sourcelist=$work/src.list" -o "Dir::Etc::sourceparts=$work/parts" -o "Dir::State::Lists=$work/lists")
apt-get "${apt_opts[@]}" update > "$work/update.log" 2>&1 || { cat "$work/update.log" >&2; exit 1; }
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only libusb-1.0 > "$work/source.log" 2>&1) ||
  { cat "$work/source.log" >&2; exit 1; }
tarball=$(ls "$work"/src/libusb-1.0_*.orig.tar.*)
tar -xf "$tarball" -C "$work/src"
srcdir=$(ls -d "$work"/src/libusb-1.0.*/)
echo "build_dll: building $(basename "$srcdir") for $host"
(cd "$srcdir" && ./configure --host=$host --disable-static --enable-shared > "$work/configure.log" 2>&1 &&
  make -j2 > "$work/make.log" 2>&1) || { tail -30 "$work/configure.log" "$work/make.log" >&2; exit 1; }
dll="$srcdir/libusb/.libs/libusb-1.0.dll"

# Every symbol flashrecipe binds must be exported; only Windows' own DLLs may be imported.
exports=$("$host-objdump" -p "$dll")
missing=$(echo "$exports" | "$deno" eval --quiet '
  import { LIBUSB_SYMBOLS } from "./lib/transport/usb/libusb_ffi.ts";
  const exported = new Set((await new Response(Deno.stdin.readable).text()).match(/\blibusb_\w+/g) ?? []);
  console.log(Object.keys(LIBUSB_SYMBOLS).filter((name) => !exported.has(name)).join(" "));
')
[ -z "$missing" ] || { echo "build_dll: libusb-1.0.dll lacks $missing" >&2; exit 1; }
imports=$(echo "$exports" | sed -n 's/^\s*DLL Name: //p' | sort -u | tr '\n' ' ')
for name in $imports; do
  case "$name" in KERNEL32.dll | msvcrt.dll) ;; *) echo "build_dll: unexpected import $name" >&2; exit 1 ;; esac
done

mkdir -p "$out"
cp "$dll" "$out/libusb-1.0.dll"
cp "$srcdir/COPYING" "$out/libusb-COPYING.txt"
echo "build_dll: $out/libusb-1.0.dll ($(stat -c %s "$out/libusb-1.0.dll") bytes; imports: $imports)"
