#!/usr/bin/env bash
# Installs the Debian packages the integration tests drive: stm32flash and dfu-util (independent protocol peers),
# umockdev with its GObject bindings (the virtual USB lab), and libusb (our USB transport loads it through FFI);
# gcc, libc6-dev and libusb-1.0-0-dev for the FFI tests (lib/transport/ffi_*_test.ts compile stand-in libraries and
# check our structure layouts against the system headers); the PostgreSQL server (the production-store tests start a
# throwaway one of their own, tests/helpers/postgres.ts).
# Does nothing when they are all present; uses sudo when not root.
set -euo pipefail
packages=(stm32flash dfu-util binutils-arm-none-eabi umockdev gir1.2-umockdev-1.0 python3-gi libusb-1.0-0 libusb-1.0-0-dev gcc libc6-dev postgresql)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing test dependencies: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
