/**
 * Per-platform numbers for talking to terminals through libc: open flags, errno values, `struct termios`
 * layouts, termios flag bits, baud-rate codes and ioctl request numbers. Every value names the header it comes
 * from; nothing here is computed at run time except the table lookup by `Deno.build.os`/`Deno.build.arch`.
 *
 * Linux x86_64 and Linux aarch64 share one table: both architectures use the asm-generic termbits, ioctls,
 * errno and (for the flags used here) fcntl headers, and `struct termios2` has only 32-bit and 8-bit members,
 * so its layout does not depend on the word size. macOS on x86_64 and arm64 share one table for the same
 * reason (LP64 `unsigned long` members on both); the one ABI difference, where variadic `ioctl` arguments
 * travel, is handled by the binding in `libc.ts`.
 *
 * @module
 */

/** Byte layout of the termios structure this platform reads and writes. */
export interface TermiosLayout {
  /** Total size in bytes. */
  size: number;
  /** Size of one `tcflag_t` (4 on Linux, 8 on macOS where it is `unsigned long`). */
  flagSize: 4 | 8;
  /** Offsets of `c_iflag`, `c_oflag`, `c_cflag`, `c_lflag`. */
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  /** Offset of `c_cc[0]` and number of control characters (`NCCS`). */
  cc: number;
  nccs: number;
  /** Offsets of `c_ispeed`/`c_ospeed` and their size (`speed_t`). */
  ispeed: number;
  ospeed: number;
  speedSize: 4 | 8;
}

/** Termios flag bits and control-character indexes. */
export interface TermiosFlags {
  // c_iflag
  IGNBRK: number;
  BRKINT: number;
  IGNPAR: number;
  PARMRK: number;
  INPCK: number;
  ISTRIP: number;
  INLCR: number;
  IGNCR: number;
  ICRNL: number;
  IXON: number;
  IXANY: number;
  IXOFF: number;
  IMAXBEL: number;
  // c_oflag
  OPOST: number;
  // c_cflag
  CSIZE: number;
  CS5: number;
  CS6: number;
  CS7: number;
  CS8: number;
  CSTOPB: number;
  CREAD: number;
  PARENB: number;
  PARODD: number;
  HUPCL: number;
  CLOCAL: number;
  CRTSCTS: number;
  /** Linux: the baud-rate bits in c_cflag and the "other baud" code; 0 on macOS (speeds live in c_ospeed). */
  CBAUD: number;
  BOTHER: number;
  /** Linux: the input-baud bits (CBAUD shifted by IBSHIFT); 0 on macOS. */
  CIBAUD: number;
  /** Linux: mark/space parity; 0 where not defined. */
  CMSPAR: number;
  // c_lflag
  ISIG: number;
  ICANON: number;
  ECHO: number;
  ECHOE: number;
  ECHOK: number;
  ECHONL: number;
  IEXTEN: number;
  // c_cc indexes
  VMIN: number;
  VTIME: number;
}

/**
 * fcntl() record locking: the commands, lock types and `struct flock` layout. stm32flash 0.7 locks the port with
 * `fcntl(F_SETLK, F_WRLCK)` over the whole file (seen with strace), not with flock() or TIOCEXCL, so only a
 * record lock of our own sees it, and keeps it out while we hold the port.
 */
export interface RecordLockTable {
  /** Query command: who holds a conflicting lock (Linux F_OFD_GETLK, macOS F_GETLK). */
  getLock: number;
  /** Non-blocking set command (Linux F_OFD_SETLK, macOS F_SETLK). */
  setLock: number;
  F_WRLCK: number;
  F_UNLCK: number;
  SEEK_SET: number;
  /** `sizeof(struct flock)` and field offsets; `l_start`/`l_len` are 64-bit `off_t`, `l_pid` an int. */
  size: number;
  typeOffset: number;
  whenceOffset: number;
  startOffset: number;
  lengthOffset: number;
  pidOffset: number;
}

/** ioctl request numbers. */
export interface IoctlNumbers {
  /** Read/write the termios2 structure (Linux only; 0 elsewhere). */
  TCGETS2: number;
  TCSETS2: number;
  TIOCEXCL: number;
  TIOCNXCL: number;
  TIOCMGET: number;
  TIOCMBIS: number;
  TIOCMBIC: number;
  TIOCSBRK: number;
  TIOCCBRK: number;
  FIONBIO: number;
  /** Linux serial_struct access for the low-latency flag (0 where absent). */
  TIOCGSERIAL: number;
  TIOCSSERIAL: number;
  /** macOS: set an arbitrary baud rate (0 where absent). */
  IOSSIOSPEED: number;
}

/** errno values this code distinguishes. */
export interface ErrnoNumbers {
  EPERM: number;
  ENOENT: number;
  EINTR: number;
  EIO: number;
  ENXIO: number;
  EAGAIN: number;
  EACCES: number;
  EBUSY: number;
  ENODEV: number;
  EISDIR: number;
  EINVAL: number;
  ENOTTY: number;
  EROFS: number;
  EOPNOTSUPP: number;
}

/** Everything the POSIX serial code needs to know about one OS/architecture pair. */
export interface PosixPlatform {
  /** Identifier, e.g. `linux-x86_64`. */
  name: string;
  /** Path of the C library passed to `Deno.dlopen`. */
  libc: string;
  /** Name of the function returning the thread's `int *errno`. */
  errnoFunction: "__errno_location" | "__error";
  /** How termios is read and written: Linux uses TCGETS2/TCSETS2 ioctls, macOS libc tcgetattr/tcsetattr. */
  termiosAccess: "termios2-ioctl" | "libc";
  open: { O_RDWR: number; O_NOCTTY: number; O_NONBLOCK: number; O_CLOEXEC: number };
  flock: { LOCK_EX: number; LOCK_NB: number; LOCK_UN: number };
  /** fcntl() record locks over the whole device, the kind stm32flash takes (see {@linkcode RecordLockTable}). */
  recordLock: RecordLockTable;
  poll: { POLLIN: number; POLLOUT: number; POLLERR: number; POLLHUP: number; POLLNVAL: number };
  /** Queue selectors for tcflush and action for tcsetattr. */
  tcflush: { TCIFLUSH: number; TCIOFLUSH: number };
  TCSANOW: number;
  errno: ErrnoNumbers;
  termios: TermiosLayout;
  flags: TermiosFlags;
  ioctl: IoctlNumbers;
  /** Modem-line bits for TIOCMGET/TIOCMBIS/TIOCMBIC. */
  modem: { DTR: number; RTS: number; CTS: number; DSR: number; CAR: number; RNG: number };
  /** Standard rates and the c_cflag code (Linux) or speed_t value (macOS) that selects each. */
  baudCodes: ReadonlyMap<number, number>;
  /** `struct serial_struct` size and offset of `flags`, plus the low-latency bit; null where absent. */
  serialStruct: { size: number; flagsOffset: number; ASYNC_LOW_LATENCY: number } | null;
  /** Character-device major numbers of pseudo-terminal slaves (Linux); empty where the path decides. */
  ptySlaveMajors: readonly number[];
  /** Path pattern of pseudo-terminal slaves, used where no major number is known. */
  ptySlavePath: RegExp;
}

/**
 * errno values Linux and macOS share, unchanged since Version 7 Unix: include/uapi/asm-generic/errno-base.h and
 * macOS sys/errno.h agree on every one (they differ on EAGAIN and EOPNOTSUPP, which each table adds).
 */
const UNIX_ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EACCES: 13,
  EBUSY: 16,
  ENODEV: 19,
  EISDIR: 21,
  EINVAL: 22,
  ENOTTY: 25,
  EROFS: 30,
} as const;

/** flock operations, the same on both: include/uapi/asm-generic/fcntl.h and macOS sys/fcntl.h. */
const FLOCK = { LOCK_EX: 2, LOCK_NB: 4, LOCK_UN: 8 } as const;

/** poll events, the same on both: include/uapi/asm-generic/poll.h and macOS sys/poll.h. */
const POLL = { POLLIN: 0x1, POLLOUT: 0x4, POLLERR: 0x8, POLLHUP: 0x10, POLLNVAL: 0x20 } as const;

/** Modem-line bits, the same on both: include/uapi/asm-generic/termios.h and macOS sys/ttycom.h (TIOCM_*). */
const MODEM_BITS = { DTR: 0x002, RTS: 0x004, CTS: 0x020, DSR: 0x100, CAR: 0x040, RNG: 0x080 } as const;

/** Linux, shared by x86_64 and aarch64 (see the module comment). */
const LINUX: Omit<PosixPlatform, "name"> = {
  libc: "libc.so.6",
  errnoFunction: "__errno_location", // glibc <errno.h>
  termiosAccess: "termios2-ioctl",
  // include/uapi/asm-generic/fcntl.h (arm64's asm/fcntl.h only overrides O_DIRECTORY..O_LARGEFILE)
  open: { O_RDWR: 0o2, O_NOCTTY: 0o400, O_NONBLOCK: 0o4000, O_CLOEXEC: 0o2000000 },
  flock: FLOCK,
  // Open-file-description locks (include/uapi/asm-generic/fcntl.h F_OFD_GETLK 36, F_OFD_SETLK 37; Linux 3.15):
  // they conflict with stm32flash's classic F_SETLK lock, yet belong to our descriptor, so closing some other
  // descriptor of the same device in this process (a refused second open) does not drop them as it would a
  // classic per-process lock. struct flock on LP64: short l_type, short l_whence, off_t l_start, off_t l_len,
  // pid_t l_pid -> 32 bytes.
  recordLock: {
    getLock: 36,
    setLock: 37,
    F_WRLCK: 1,
    F_UNLCK: 2,
    SEEK_SET: 0,
    size: 32,
    typeOffset: 0,
    whenceOffset: 2,
    startOffset: 8,
    lengthOffset: 16,
    pidOffset: 24,
  },
  poll: POLL,
  // include/uapi/asm-generic/termbits.h
  tcflush: { TCIFLUSH: 0, TCIOFLUSH: 2 },
  TCSANOW: 0, // asm-generic/termbits.h
  // include/uapi/asm-generic/errno-base.h (EAGAIN) and errno.h (EOPNOTSUPP)
  errno: { ...UNIX_ERRNO, EAGAIN: 11, EOPNOTSUPP: 95 },
  // struct termios2 in include/uapi/asm-generic/termbits.h: four __u32 flags, cc_t c_line, cc_t c_cc[NCCS=19],
  // speed_t (unsigned int) c_ispeed, c_ospeed -> 36 bytes of flags/chars, 44 in all.
  termios: {
    size: 44,
    flagSize: 4,
    iflag: 0,
    oflag: 4,
    cflag: 8,
    lflag: 12,
    cc: 17,
    nccs: 19,
    ispeed: 36,
    ospeed: 40,
    speedSize: 4,
  },
  // include/uapi/asm-generic/termbits-common.h (iflag low bits, CSIZE.., B0..B38400) and termbits.h
  flags: {
    IGNBRK: 0x001,
    BRKINT: 0x002,
    IGNPAR: 0x004,
    PARMRK: 0x008,
    INPCK: 0x010,
    ISTRIP: 0x020,
    INLCR: 0x040,
    IGNCR: 0x080,
    ICRNL: 0x100,
    IXON: 0x0400, // termbits.h
    IXANY: 0x0800, // termbits-common.h
    IXOFF: 0x1000, // termbits.h
    IMAXBEL: 0x2000, // termbits-common.h
    OPOST: 0x01,
    CSIZE: 0x30, // termbits.h
    CS5: 0x00,
    CS6: 0x10,
    CS7: 0x20,
    CS8: 0x30,
    CSTOPB: 0x40,
    CREAD: 0x80,
    PARENB: 0x100,
    PARODD: 0x200,
    HUPCL: 0x400,
    CLOCAL: 0x800,
    CRTSCTS: 0x80000000, // termbits-common.h
    CBAUD: 0x100f, // termbits.h
    BOTHER: 0x1000, // termbits.h
    CIBAUD: 0x100f0000, // termbits-common.h (CBAUD << IBSHIFT 16)
    CMSPAR: 0x40000000, // termbits-common.h
    ISIG: 0x1, // termbits.h c_lflag
    ICANON: 0x2,
    ECHO: 0x8,
    ECHOE: 0x10,
    ECHOK: 0x20,
    ECHONL: 0x40,
    IEXTEN: 0x8000,
    VTIME: 5, // termbits.h c_cc indexes
    VMIN: 6,
  },
  // include/uapi/asm-generic/ioctls.h; _IOR/_IOW per include/uapi/asm-generic/ioctl.h
  ioctl: {
    TCGETS2: 0x802c542a, // _IOR('T', 0x2A, struct termios2): dir 2<<30 | 44<<16 | 'T'<<8 | 0x2A
    TCSETS2: 0x402c542b, // _IOW('T', 0x2B, struct termios2)
    TIOCEXCL: 0x540c,
    TIOCNXCL: 0x540d,
    TIOCMGET: 0x5415,
    TIOCMBIS: 0x5416,
    TIOCMBIC: 0x5417,
    TIOCGSERIAL: 0x541e,
    TIOCSSERIAL: 0x541f,
    FIONBIO: 0x5421,
    TIOCSBRK: 0x5427,
    TIOCCBRK: 0x5428,
    IOSSIOSPEED: 0,
  },
  modem: MODEM_BITS,
  // B* codes: asm-generic/termbits-common.h (B0..B38400) and termbits.h (B57600..B4000000, CBAUDEX set)
  baudCodes: new Map([
    [50, 0o1],
    [75, 0o2],
    [110, 0o3],
    [134, 0o4],
    [150, 0o5],
    [200, 0o6],
    [300, 0o7],
    [600, 0o10],
    [1200, 0o11],
    [1800, 0o12],
    [2400, 0o13],
    [4800, 0o14],
    [9600, 0o15],
    [19200, 0o16],
    [38400, 0o17],
    [57600, 0x1001],
    [115200, 0x1002],
    [230400, 0x1003],
    [460800, 0x1004],
    [500000, 0x1005],
    [576000, 0x1006],
    [921600, 0x1007],
    [1000000, 0x1008],
    [1152000, 0x1009],
    [1500000, 0x100a],
    [2000000, 0x100b],
    [2500000, 0x100c],
    [3000000, 0x100d],
    [3500000, 0x100e],
    [4000000, 0x100f],
  ]),
  // struct serial_struct in include/uapi/linux/serial.h: int type, line; unsigned port; int irq, flags, ...
  // ending in unsigned long iomap_base -> 72 bytes on LP64; flags at offset 16.
  // ASYNC_LOW_LATENCY = 1 << ASYNCB_LOW_LATENCY (13), include/uapi/linux/tty_flags.h
  serialStruct: { size: 72, flagsOffset: 16, ASYNC_LOW_LATENCY: 1 << 13 },
  // Documentation/admin-guide/devices.txt: 136-143 char = Unix98 PTY slaves
  ptySlaveMajors: [136, 137, 138, 139, 140, 141, 142, 143],
  ptySlavePath: /^\/dev\/pts\/\d+$/,
};

/** macOS, shared by x86_64 and arm64 (see the module comment). */
const DARWIN: Omit<PosixPlatform, "name"> = {
  libc: "/usr/lib/libSystem.B.dylib",
  errnoFunction: "__error", // <sys/errno.h>
  termiosAccess: "libc",
  // sys/fcntl.h
  open: { O_RDWR: 0x2, O_NOCTTY: 0x20000, O_NONBLOCK: 0x4, O_CLOEXEC: 0x1000000 },
  flock: FLOCK,
  // sys/fcntl.h: no open-file-description locks, the classic F_GETLK 7 / F_SETLK 8; F_WRLCK 3, F_UNLCK 2;
  // struct flock { off_t l_start; off_t l_len; pid_t l_pid; short l_type; short l_whence; } -> 24 bytes.
  recordLock: {
    getLock: 7,
    setLock: 8,
    F_WRLCK: 3,
    F_UNLCK: 2,
    SEEK_SET: 0,
    size: 24,
    typeOffset: 20,
    whenceOffset: 22,
    startOffset: 0,
    lengthOffset: 8,
    pidOffset: 16,
  },
  poll: POLL,
  // sys/termios.h
  tcflush: { TCIFLUSH: 1, TCIOFLUSH: 3 },
  TCSANOW: 0,
  // sys/errno.h
  errno: { ...UNIX_ERRNO, EAGAIN: 35, EOPNOTSUPP: 102 },
  // struct termios in sys/termios.h: tcflag_t (unsigned long) x4, cc_t c_cc[NCCS=20], speed_t (unsigned long)
  // c_ispeed, c_ospeed -> c_cc at 32..51, padding to 56, speeds at 56 and 64, 72 bytes.
  termios: {
    size: 72,
    flagSize: 8,
    iflag: 0,
    oflag: 8,
    cflag: 16,
    lflag: 24,
    cc: 32,
    nccs: 20,
    ispeed: 56,
    ospeed: 64,
    speedSize: 8,
  },
  // sys/termios.h
  flags: {
    IGNBRK: 0x1,
    BRKINT: 0x2,
    IGNPAR: 0x4,
    PARMRK: 0x8,
    INPCK: 0x10,
    ISTRIP: 0x20,
    INLCR: 0x40,
    IGNCR: 0x80,
    ICRNL: 0x100,
    IXON: 0x200,
    IXOFF: 0x400,
    IXANY: 0x800,
    IMAXBEL: 0x2000,
    OPOST: 0x1,
    CSIZE: 0x300,
    CS5: 0x000,
    CS6: 0x100,
    CS7: 0x200,
    CS8: 0x300,
    CSTOPB: 0x400,
    CREAD: 0x800,
    PARENB: 0x1000,
    PARODD: 0x2000,
    HUPCL: 0x4000,
    CLOCAL: 0x8000,
    CRTSCTS: 0x30000, // CCTS_OFLOW | CRTS_IFLOW
    CBAUD: 0,
    BOTHER: 0,
    CIBAUD: 0,
    CMSPAR: 0,
    ECHOE: 0x2, // c_lflag
    ECHOK: 0x4,
    ECHO: 0x8,
    ECHONL: 0x10,
    ISIG: 0x80,
    ICANON: 0x100,
    IEXTEN: 0x400,
    VMIN: 16, // c_cc indexes
    VTIME: 17,
  },
  // sys/ttycom.h and sys/filio.h; _IO = 0x20000000, _IOR = 0x40000000, _IOW = 0x80000000 | size<<16 (sys/ioccom.h)
  ioctl: {
    TCGETS2: 0,
    TCSETS2: 0,
    TIOCEXCL: 0x2000740d, // _IO('t', 13)
    TIOCNXCL: 0x2000740e, // _IO('t', 14)
    TIOCMGET: 0x4004746a, // _IOR('t', 106, int)
    TIOCMBIS: 0x8004746c, // _IOW('t', 108, int)
    TIOCMBIC: 0x8004746b, // _IOW('t', 107, int)
    TIOCSBRK: 0x2000747b, // _IO('t', 123)
    TIOCCBRK: 0x2000747a, // _IO('t', 122)
    FIONBIO: 0x8004667e, // _IOW('f', 126, int), sys/filio.h
    TIOCGSERIAL: 0,
    TIOCSSERIAL: 0,
    IOSSIOSPEED: 0x80085402, // _IOW('T', 2, speed_t), IOKit/serial/ioss.h
  },
  modem: MODEM_BITS,
  // sys/termios.h: B<n> == n
  baudCodes: new Map(
    [
      50,
      75,
      110,
      134,
      150,
      200,
      300,
      600,
      1200,
      1800,
      2400,
      4800,
      7200,
      9600,
      14400,
      19200,
      28800,
      38400,
      57600,
      76800,
      115200,
      230400,
    ].map((rate) => [rate, rate]),
  ),
  serialStruct: null,
  ptySlaveMajors: [],
  // pty slaves are /dev/ttys000..., unlike the real ports /dev/tty.* and /dev/cu.*
  ptySlavePath: /^\/dev\/ttys\d+$/,
};

/** The tables by `${Deno.build.os}-${Deno.build.arch}`. */
export const POSIX_PLATFORMS: Readonly<Record<string, PosixPlatform>> = {
  "linux-x86_64": { name: "linux-x86_64", ...LINUX },
  "linux-aarch64": { name: "linux-aarch64", ...LINUX },
  "darwin-x86_64": { name: "darwin-x86_64", ...DARWIN },
  "darwin-aarch64": { name: "darwin-aarch64", ...DARWIN },
};

/** The table for the running system, or `undefined` when it has none. */
export function currentPosixPlatform(): PosixPlatform | undefined {
  return POSIX_PLATFORMS[`${Deno.build.os}-${Deno.build.arch}`];
}

/**
 * open() flags of a serial port: read/write, not our controlling terminal, O_NONBLOCK so that open does not
 * wait for carrier detect and no later read or write blocks, and O_CLOEXEC so that no program this process starts
 * (a simulator, a database helper, a shell) inherits the port: an inherited descriptor keeps the port open behind
 * our back, and the port-holder scan (port_holders.ts) rightly reports that process as holding it.
 */
export function serialOpenFlags(platform: PosixPlatform): number {
  return platform.open.O_RDWR | platform.open.O_NOCTTY | platform.open.O_NONBLOCK | platform.open.O_CLOEXEC;
}

/**
 * posix_openpt() flags: macOS accepts only O_RDWR | O_NOCTTY there (non-blocking mode is set with FIONBIO); Linux
 * (glibc opens /dev/ptmx with the flags given) also takes O_CLOEXEC, so child processes do not inherit the master.
 */
export function ptyOpenFlags(platform: PosixPlatform): number {
  const flags = platform.open.O_RDWR | platform.open.O_NOCTTY;
  return platform.name.startsWith("linux-") ? flags | platform.open.O_CLOEXEC : flags;
}

/** A `struct flock` asking for (or releasing) a lock of `type` over the whole file (l_start 0, l_len 0). */
export function encodeRecordLock(table: RecordLockTable, type: number): Uint8Array {
  const bytes = new Uint8Array(table.size);
  const view = new DataView(bytes.buffer);
  view.setInt16(table.typeOffset, type, true);
  view.setInt16(table.whenceOffset, table.SEEK_SET, true);
  view.setBigInt64(table.startOffset, 0n, true);
  view.setBigInt64(table.lengthOffset, 0n, true);
  view.setInt32(table.pidOffset, 0, true); // must be 0 for Linux OFD locks
  return bytes;
}

/** What F_GETLK wrote back: the conflicting lock's type and holder (`pid` -1 for an OFD lock: unknown). */
export function decodeRecordLock(table: RecordLockTable, bytes: Uint8Array): { type: number; pid: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { type: view.getInt16(table.typeOffset, true), pid: view.getInt32(table.pidOffset, true) };
}
