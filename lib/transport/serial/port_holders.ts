/**
 * Who else has a serial port, found without opening it: other processes holding the device open (Linux
 * `/proc/PID/fd`) and UUCP lock files (`/var/lock/LCK..ttyUSB0` holding the owner's PID in ASCII, as minicom and
 * picocom write them).
 *
 * Why both, besides the flock(), fcntl() record lock and TIOCEXCL that `posix_port.ts` takes after opening:
 * - flock() and the record lock only see programs that take the same kind of lock (stm32flash takes a record
 *   lock, pyserial's `exclusive` a flock(), many terminals none);
 * - TIOCEXCL keeps later openers out, but not root (Linux lets CAP_SYS_ADMIN through, drivers/tty/tty_io.c), and
 *   it says nothing about programs that opened the port earlier;
 * - the `/proc` scan sees every process that has the device open, whatever it locks, root or not, on Linux (a
 *   process of another user is invisible to a non-root user; their lock or TIOCEXCL then usually speaks);
 * - a lock file speaks for a program that is between opens (minicom holds it for its whole session).
 *
 * @module
 */

/** A process found holding a port. */
export interface PortHolder {
  /** Its process id. */
  pid: number;
  /** Its program name (`/proc/PID/comm`), when readable. */
  program?: string;
  /** How it was found. */
  evidence: "has it open" | "holds its lock file" | "holds a lock on it";
}

/** `stm32flash (PID 4242) has it open`. */
export function describeHolders(holders: readonly PortHolder[]): string {
  return holders.map((h) => `${h.program ?? "a program"} (PID ${h.pid}) ${h.evidence}`).join(", ");
}

/** Where to look; tests point these at a fake tree. */
export interface HolderSearchOptions {
  /** The proc filesystem (default `/proc`). */
  procRoot?: string;
  /** Directories of UUCP lock files (default `/var/lock`, `/run/lock`). */
  lockDirs?: readonly string[];
  /** This process, never reported (default `Deno.pid`). */
  selfPid?: number;
}

/** The program name of `pid` from `/proc/PID/comm`, if readable. */
export function programName(pid: number, procRoot = "/proc"): string | undefined {
  try {
    return Deno.readTextFileSync(`${procRoot}/${pid}/comm`).trim() || undefined;
  } catch {
    return undefined; // gone, or not ours to read: the PID alone still says who
  }
}

function realPath(path: string): string | undefined {
  try {
    return Deno.realPathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Processes other than this one with `devicePath` (symlinks resolved) open, by scanning `/proc/*\/fd`. Processes
 * whose descriptors cannot be read (another user's, for a non-root user) are skipped. Empty where there is no
 * `/proc` (macOS).
 */
export function findOpenHolders(devicePath: string, options: HolderSearchOptions = {}): PortHolder[] {
  const procRoot = options.procRoot ?? "/proc";
  const self = options.selfPid ?? Deno.pid;
  const target = realPath(devicePath);
  if (target === undefined) return [];
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync(procRoot);
  } catch {
    return [];
  }
  const holders: PortHolder[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    if (pid === self) continue;
    let descriptors: Iterable<Deno.DirEntry>;
    try {
      descriptors = Deno.readDirSync(`${procRoot}/${pid}/fd`);
    } catch {
      continue; // exited meanwhile, or another user's
    }
    for (const descriptor of descriptors) {
      let link: string;
      try {
        link = Deno.readLinkSync(`${procRoot}/${pid}/fd/${descriptor.name}`);
      } catch {
        continue; // closed meanwhile
      }
      if (link === target) {
        holders.push({ pid, program: programName(pid, procRoot), evidence: "has it open" });
        break;
      }
    }
  }
  return holders.sort((a, b) => a.pid - b.pid);
}

/** The PID in a UUCP lock file: ASCII (HDB style, what minicom and picocom write) or a 4-byte binary int. */
export function parseLockFilePid(bytes: Uint8Array): number | undefined {
  const text = new TextDecoder().decode(bytes).trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (bytes.length === 4) {
    const pid = new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true);
    return pid > 0 ? pid : undefined;
  }
  return undefined;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Live UUCP lock files for `devicePath` (`LCK..NAME` for the name given and the resolved device). A lock file
 * whose PID no longer runs is stale and ignored (left in place: it belongs to another user's program, which
 * removes or replaces it when it next runs).
 */
export function findLockFileHolders(devicePath: string, options: HolderSearchOptions = {}): PortHolder[] {
  const procRoot = options.procRoot ?? "/proc";
  const self = options.selfPid ?? Deno.pid;
  const dirs = [...new Set((options.lockDirs ?? ["/var/lock", "/run/lock"]).map((dir) => realPath(dir) ?? dir))];
  const names = new Set([basename(devicePath), basename(realPath(devicePath) ?? devicePath)]);
  const holders: PortHolder[] = [];
  for (const dir of dirs) {
    for (const name of names) {
      let bytes: Uint8Array;
      try {
        bytes = Deno.readFileSync(`${dir}/LCK..${name}`);
      } catch {
        continue;
      }
      const pid = parseLockFilePid(bytes);
      if (pid === undefined || pid === self || holders.some((h) => h.pid === pid)) continue;
      if (!isRunning(pid, procRoot)) continue; // stale
      holders.push({ pid, program: programName(pid, procRoot), evidence: "holds its lock file" });
    }
  }
  return holders;
}

function isRunning(pid: number, procRoot: string): boolean {
  try {
    Deno.statSync(`${procRoot}/${pid}`);
    return true;
  } catch {
    return false;
  }
}
