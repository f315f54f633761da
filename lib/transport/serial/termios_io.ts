/**
 * Reading and writing a descriptor's termios through libc: TCGETS2/TCSETS2 on Linux (so that any baud rate
 * can be set with BOTHER), tcgetattr/tcsetattr elsewhere.
 *
 * @module
 */

import type { CallResult, Libc } from "./libc.ts";
import { Termios } from "./termios.ts";

/** The descriptor's current settings, or the errno of the failed call. */
export function getTermios(libc: Libc, fd: number): { termios: Termios } | { errno: number } {
  const platform = libc.platform;
  const bytes = new Uint8Array(platform.termios.size);
  const result = platform.termiosAccess === "termios2-ioctl"
    ? libc.ioctl(fd, platform.ioctl.TCGETS2, bytes)
    : libc.tcgetattr(fd, bytes);
  if (result.value === -1) return { errno: result.errno };
  return { termios: new Termios(platform.termios, bytes) };
}

/** Applies `termios` at once (TCSANOW). */
export function setTermios(libc: Libc, fd: number, termios: Termios): CallResult {
  const platform = libc.platform;
  return platform.termiosAccess === "termios2-ioctl"
    ? libc.ioctl(fd, platform.ioctl.TCSETS2, termios.bytes)
    : libc.tcsetattr(fd, platform.TCSANOW, termios.bytes);
}
