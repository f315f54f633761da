#!/usr/bin/env bash
# The Windows test leg: runs flashrecipe's Windows code for real, in the Windows build of Deno under Wine, against
# the simulated STM32F103C8 (`flashrecipe sim usart`, Linux Deno) on a pseudo-terminal that Wine maps as COM5:
#   - the serial unit tests under Windows Deno (scripts/windows/unit_tests.txt; POSIX-only ones skip themselves),
#     with COM5 for the kernel32 port tests (lib/transport/serial/windows_port_test.ts)
#   - `ports` lists COM5 from the registry (SERIALCOMM, advapi32) with the USB identity SetupAPI has for it, and a
#     recipe's target.match picks COM5 by that identity
#   - `info`, `write` with verify, `read` back byte-identical (kernel32: CreateFileW, DCB, timeouts, Read/WriteFile)
#   - bluepill-autoboot.yaml: enter-boot / leave-boot through DTR/RTS (EscapeCommFunction), order of the lines checked
#   - E_NO_MODEM_LINES on a port without modem lines, E_PORT_MISSING on an unmapped COM port
# The image is small on purpose: under Wine every read waits out its 50 ms slice (README, "Windows under Wine").
#
# Usage: scripts/windows/test.sh           (npm ci first; setup.sh installs Wine etc. when missing)
# Env:   FLASHRECIPE_WINE_DIR  where setup.sh keeps deno.exe and the stand-ins (default ~/.cache/flashrecipe/windows)
#        KEEP=1                keep the work folder (Wine prefix, logs) and print its path
# Prints one "windows: ..." line per check and ends with "windows: N passed, N failed"; exit 0 only when all passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
started=$EPOCHREALTIME
say() { echo "windows: $*"; }

tools=$(bash scripts/windows/setup.sh | tail -1) || { say "0 passed, 1 failed (setup)"; exit 1; }
version=$(node -p 'require("./package.json").devDependencies.deno')
linux_deno=$repo/node_modules/.bin/deno
image_bytes=3076 # three 1 KiB pages and a 4-byte tail

work=$(mktemp -d /tmp/flashrecipe-windows.XXXXXX)
sim_pid=""
cleanup() {
  [ -z "$sim_pid" ] || { kill "$sim_pid" 2> /dev/null; wait "$sim_pid" 2> /dev/null; }
  if [ -d "$work/prefix" ]; then
    WINEPREFIX=$work/prefix wineserver -k > /dev/null 2>&1
    WINEPREFIX=$work/prefix timeout 10 wineserver -w > /dev/null 2>&1
    # The server's socket folder, /tmp/wine-XXXXXX/server-<device>-<inode of the prefix>, outlives the server.
    local server dir
    server=$(printf 'server-%x-%x' "$(stat -c %d "$work/prefix")" "$(stat -c %i "$work/prefix")")
    for dir in /tmp/wine-*/"$server"; do
      [ -d "$dir" ] || continue
      rm -rf "$dir"
      rmdir "$(dirname "$dir")" 2> /dev/null
    done
  fi
  if [ "${KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0
failed=0
pass() {
  passed=$((passed + 1))
  say "ok   $*"
}
fail() {
  failed=$((failed + 1))
  say "FAIL $*"
}
show() { sed 's/^/    | /' "$@" | tail -20; }

# --- Wine prefix: C: is the prefix, D: the tools, R: this checkout; no Z: (Wine's view of all of /) -------------
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if ! wineboot -i > "$work/wineboot.log" 2>&1; then
  show "$work/wineboot.log"
  say "0 passed, 1 failed (wineboot: Wine prefix setup)"
  exit 1
fi
rm -f "$WINEPREFIX/dosdevices/z:"
ln -s "$tools" "$WINEPREFIX/dosdevices/d:"
ln -s "$repo" "$WINEPREFIX/dosdevices/r:"
cp "$tools/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
mkdir -p "$WINEPREFIX/drive_c/data"
data=$WINEPREFIX/drive_c/data

# Windows Deno: the npm packages come from the cache setup.sh filled with the Linux Deno, which checked them against
# deno.lock (--cached-only: no network). package.json is left out (DENO_NO_PACKAGE_JSON) because its devDependency
# `deno` would make the Windows Deno want @deno/win32-x64 in that cache too; without package.json the lockfile no
# longer matches the config, hence --no-lock. Type checking is the Linux suite's job (deno task check).
windows_deno() { # NAME LIMIT [LINES_LOG] -- DENO_ARGS...: output in $work/NAME.out and .err, exit code returned
  local name=$1 limit=$2 lines=$3
  shift 4
  local extra=()
  [ -z "$lines" ] || extra+=("FLASHRECIPE_LINES_LOG=$lines")
  [ -z "${FLASHRECIPE_TEST_COM_PORT:-}" ] || extra+=("FLASHRECIPE_TEST_COM_PORT=$FLASHRECIPE_TEST_COM_PORT")
  (cd "$WINEPREFIX/dosdevices/r:" && env -u DENO_DIR -u DENO_CERT -u FLASHRECIPE_TEST_COM_PORT -u FLASHRECIPE_LINES_LOG \
    NO_COLOR=1 DENO_NO_PACKAGE_JSON=1 DENO_DIR='D:\deno-dir' LD_PRELOAD="$tools/pty_shim.so" "${extra[@]}" \
    timeout "$limit" wine "D:\\deno-$version.exe" "$@") > "$work/$name.out" 2> "$work/$name.err"
}
flashrecipe() { # NAME LIMIT [LINES_LOG] -- ARGS...
  local name=$1 limit=$2 lines=$3
  shift 4
  windows_deno "$name" "$limit" "$lines" -- run -A --no-check --cached-only --no-lock main.ts "$@"
}
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }'; }

# --- sim usart on a pty, mapped as COM5 the way Wine maps ports (HKLM\Software\Wine\Ports) ------------------------
(exec "$linux_deno" run --frozen -A main.ts sim usart --chip stm32f103c8) > "$work/sim.out" 2> "$work/sim.err" &
sim_pid=$!
pty=""
for _ in $(seq 1 300); do
  pty=$(head -1 "$work/sim.out" 2> /dev/null)
  [[ $pty == /dev/* ]] && break
  kill -0 "$sim_pid" 2> /dev/null || break
  sleep 0.1
done
if [[ $pty != /dev/* ]]; then
  show "$work/sim.err"
  fail "sim usart did not start"
  say "$passed passed, $((failed + 1)) failed (the port checks need the simulator)"
  exit 1
fi
# One registry import: COM5 mapped onto the pty the way Wine maps ports (its mount manager creates the device and the
# SERIALCOMM entry from HKLM\Software\Wine\Ports when the server starts), and the device node a CP2102N's driver
# would leave in the Enum tree for that port (instance ID with the USB serial number, Ports class, friendly name,
# hardware IDs, PortName), which Wine's SetupAPI enumerates like Windows does: `ports` and `target.match` then see
# the port's USB identity through the same calls as on Windows.
hardware_ids=$(printf 'USB\\VID_10C4&PID_EA60&REV_0100\0USB\\VID_10C4&PID_EA60\0\0' | iconv -t UTF-16LE | od -An -tx1 -v |
  tr -s ' \n' ',' | sed 's/^,//; s/,$//')
cat > "$data/ports.reg" << REG
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\Software\Wine\Ports]
"COM5"="$pty"

[HKEY_LOCAL_MACHINE\System\CurrentControlSet\Enum\USB\VID_10C4&PID_EA60\A4B1C2D3E4F5]
"ClassGUID"="{4D36E978-E325-11CE-BFC1-08002BE10318}"
"FriendlyName"="Silicon Labs CP210x USB to UART Bridge (COM5)"
"DeviceDesc"="Silicon Labs CP210x USB to UART Bridge"
"Service"="silabser"
"HardwareID"=hex(7):$hardware_ids

[HKEY_LOCAL_MACHINE\System\CurrentControlSet\Enum\USB\VID_10C4&PID_EA60\A4B1C2D3E4F5\Device Parameters]
"PortName"="COM5"
REG
(cd "$data" && wine regedit /S 'C:\data\ports.reg') > "$work/regedit.log" 2>&1
wineserver -k > /dev/null 2>&1
wineserver -w > /dev/null 2>&1

# --- the serial unit tests under Windows Deno, COM5 given to the port tests (lib/transport/serial/windows_port_test.ts)
t0=$EPOCHREALTIME
mapfile -t unit_tests < <(grep -v '^#' scripts/windows/unit_tests.txt)
rc=0
FLASHRECIPE_TEST_COM_PORT=COM5 windows_deno unit-tests 300 "" -- test -A --no-check --cached-only --no-lock "${unit_tests[@]}" || rc=$?
summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$work/unit-tests.out" | tail -1)
# The kernel32 port tests must have run, not been skipped (they need FLASHRECIPE_TEST_COM_PORT to reach them).
port_tests=$(grep -c '^Windows COM port: .* \.\.\. ok' "$work/unit-tests.out")
if [ $rc = 0 ] && [ -n "$summary" ] && [ "$port_tests" = 1 ]; then
  pass "unit tests under Windows Deno: $summary ($(since "$t0"))"
else
  grep -E 'FAILED|=> |error' "$work/unit-tests.out" "$work/unit-tests.err" | head -20 | sed 's/^/    | /'
  fail "unit tests under Windows Deno (exit $rc): ${summary:-no summary}; COM5 port test passed: $port_tests"
fi

# --- ports: the registry listing (advapi32) with SetupAPI's identity for COM5 -------------------------------------
t0=$EPOCHREALTIME
rc=0
flashrecipe ports 120 "" -- ports --json || rc=$?
com5=$(node -e 'const ports = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const p = ports.find((port) => port.path === "COM5");
  console.log(ports.map((port) => port.path).join(" ") + " | " + (p ? [p.vid, p.pid, p.serialNumber, p.driver, p.product].join(",") : "-"))' \
  "$work/ports.out" 2> /dev/null)
if [ $rc = 0 ] && [[ $com5 == *"COM5"*" | 4292,60000,A4B1C2D3E4F5,silabser,Silicon Labs CP210x USB to UART Bridge" ]]; then
  pass "ports: COM5 from SERIALCOMM, 10c4:ea60 serial A4B1C2D3E4F5 from SetupAPI [$com5] ($(since "$t0"))"
else
  show "$work/ports.out" "$work/ports.err"
  fail "ports --json (exit $rc) did not list COM5 with its USB identity: [$com5]"
fi

# --- info, write + verify, read back ------------------------------------------------------------------------------
t0=$EPOCHREALTIME
rc=0
flashrecipe info 120 "" -- info --port COM5 || rc=$?
if [ $rc = 0 ] && grep -q '^chip .*STM32F10' "$work/info.out"; then
  pass "info --port COM5: $(grep -m1 '^chip' "$work/info.out" | tr -s ' ') ($(since "$t0"))"
else
  show "$work/info.out" "$work/info.err"
  fail "info --port COM5 (exit $rc)"
fi

head -c "$image_bytes" /dev/urandom > "$data/image.bin"
t0=$EPOCHREALTIME
rc=0
flashrecipe write 180 "" -- write 'C:\data\image.bin' --port COM5 || rc=$?
if [ $rc = 0 ] && grep -q "verified $image_bytes bytes" "$work/write.out"; then
  pass "write C:\\data\\image.bin --port COM5: $image_bytes bytes written and verified ($(since "$t0"))"
else
  show "$work/write.out" "$work/write.err"
  fail "write --port COM5 (exit $rc) did not report verifying $image_bytes bytes"
fi

t0=$EPOCHREALTIME
rc=0
flashrecipe read 180 "" -- read --port COM5 --length "$image_bytes" --output 'C:\data\back.bin' || rc=$?
if [ $rc = 0 ] && cmp -s "$data/image.bin" "$data/back.bin"; then
  pass "read --port COM5: $image_bytes bytes back, identical ($(since "$t0"))"
else
  show "$work/read.out" "$work/read.err"
  fail "read --port COM5 (exit $rc): $(cmp "$data/image.bin" "$data/back.bin" 2>&1 | head -1)"
fi

# --- target.match: the recipe names no port, the USB identity picks COM5 ----------------------------------------
cat > "$data/match.yaml" << 'YAML'
version: 1
name: pick the adapter by USB identity
target:
  transport: usart
  chip: stm32f103c8
  match: { vid: 0x10c4, pid: 0xea60, serial: A4B1C2D3E4F5 }
steps:
  - connect
  - read: { address: 0x08000000, length: 256, file: head.bin }
YAML
t0=$EPOCHREALTIME
rc=0
flashrecipe match 120 "" -- run 'C:\data\match.yaml' || rc=$?
if [ $rc = 0 ] && cmp -s <(head -c 256 "$data/image.bin") "$data/head.bin"; then
  pass "run with target.match { vid: 0x10c4, pid: 0xea60, serial: A4B1C2D3E4F5 }: COM5 chosen, 256 bytes read back ($(since "$t0"))"
else
  show "$work/match.out" "$work/match.err"
  fail "run with target.match (exit $rc) did not read the image's first 256 bytes through COM5"
fi

# --- enter-boot / leave-boot through DTR and RTS (dtr-reset-rts-boot0) on the shim's emulated lines ---------------
t0=$EPOCHREALTIME
rc=0
flashrecipe recipe 180 "$work/lines.log" -- run recipes/bluepill-autoboot.yaml --port COM5 || rc=$?
states=$(tr "\n" " " 2> /dev/null < "$work/lines.log")
# DTR drives NRST (asserted = held in reset), RTS drives BOOT0 (asserted = high): reset held with BOOT0 high, then
# released into the bootloader; at the end reset held with BOOT0 low, then released into the application, which is
# also the last state. Other changes in between (one line at a time) are allowed.
order_ok=$(awk -v s="$states" 'BEGIN {
  n = split("DTR=1,RTS=1 DTR=0,RTS=1 DTR=1,RTS=0 DTR=0,RTS=0", want, " "); m = split(s, got, " "); j = 1
  for (i = 1; i + 1 <= m && j <= n; i += 2) if (got[i] "," got[i + 1] == want[j]) j++
  print (j > n && got[m - 1] "," got[m] == "DTR=0,RTS=0") ? "yes" : "no"
}')
if [ $rc = 0 ] && [ "$order_ok" = yes ]; then
  pass "run recipes/bluepill-autoboot.yaml --port COM5: every step ok; DTR/RTS: $states($(since "$t0"))"
else
  show "$work/recipe.out" "$work/recipe.err"
  fail "run recipes/bluepill-autoboot.yaml --port COM5 (exit $rc); DTR/RTS: [$states]"
fi

# --- error paths --------------------------------------------------------------------------------------------------
rc=0
flashrecipe no-lines 120 "" -- run recipes/bluepill-autoboot.yaml --port COM5 || rc=$?
if [ $rc = 1 ] && grep -q '^error\[E_NO_MODEM_LINES\]' "$work/no-lines.err"; then
  pass "a port without modem lines: $(grep -m1 'E_NO_MODEM_LINES' "$work/no-lines.err" | cut -c1-110)..."
else
  show "$work/no-lines.out" "$work/no-lines.err"
  fail "without modem lines, enter-boot should fail with E_NO_MODEM_LINES, exit 1 (got exit $rc)"
fi

rc=0
flashrecipe missing 120 "" -- info --port COM9 || rc=$?
if [ $rc = 1 ] && grep -q '^error\[E_PORT_MISSING\]' "$work/missing.err"; then
  pass "an unmapped port: $(grep -m1 'E_PORT_MISSING' "$work/missing.err" | cut -c1-110)..."
else
  show "$work/missing.out" "$work/missing.err"
  fail "info --port COM9 (not mapped) should fail with E_PORT_MISSING, exit 1 (got exit $rc)"
fi

say "$passed passed, $failed failed ($(since "$started") in all)"
[ "$failed" = 0 ]
