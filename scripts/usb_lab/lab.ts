/**
 * The virtual USB lab: simulated USB devices (TypeScript {@linkcode SimulatedUsbDevice}s) made visible to
 * unmodified programs (libusb, dfu-util, our own tool under Deno FFI) through a umockdev testbed.
 *
 * `startUsbLab` starts `scripts/usb_lab/bridge.py` under `/usr/bin/python3`; the bridge owns the testbed and
 * answers usbdevfs ioctls, and forwards every control request to this process, which answers it with the
 * device's `handleControl`. Programs run in the lab get `LD_PRELOAD=libumockdev-preload.so.0` and
 * `UMOCKDEV_DIR=<testbed>` in their environment. The JSON-lines protocol between the two is described in
 * `scripts/usb_lab/README.md`. Linux only (umockdev).
 *
 * @module
 */

import { type SimulatedUsbDevice, STALL, type UsbSetup } from "../../lib/transport/usb/control.ts";
import { answerStandardRequest } from "../../lib/transport/usb/standard_requests.ts";

/** The umockdev preload library that redirects /sys and /dev/bus/usb of a program into the testbed. */
export const UMOCKDEV_PRELOAD = "libumockdev-preload.so.0";

/** What to install when the lab cannot start (Debian/Ubuntu package names). */
export const LAB_PACKAGES = "umockdev gir1.2-umockdev-1.0 python3-gi";

/** The lab could not start or a lab operation failed. */
export class UsbLabError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UsbLabError";
  }
}

/** Where a device sits on the virtual bus. */
export interface LabPlacement {
  /** Sysfs port name, e.g. `1-2` (bus 1, port 2) or `1-2.3`; default: the next free `1-N`. */
  port?: string;
  /** Device address; default: the next free one (never reused, as on a real bus). */
  devnum?: number;
  /** Speed in Mbit/s as sysfs writes it: "1.5", "12" (default), "480". */
  speed?: string;
}

/** A device to plug in when the lab starts. */
export interface LabDeviceSpec extends LabPlacement {
  /** The device's behaviour. */
  device: SimulatedUsbDevice;
}

/** A device plugged into the lab. */
export interface PluggedDevice {
  /** Lab-internal id. */
  readonly id: string;
  /** Bus number (always 1). */
  readonly busnum: number;
  /** Device address on the bus. */
  readonly devnum: number;
  /** Sysfs port name, e.g. `1-2`. */
  readonly port: string;
  /** The simulated device. */
  readonly device: SimulatedUsbDevice;
}

/** Captured result of a command run in the lab. */
export interface LabOutput {
  /** Exit code. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/** A running lab. */
export interface UsbLab {
  /** Testbed directory (UMOCKDEV_DIR). */
  readonly dir: string;
  /** Environment variables a program needs to see the lab's devices. */
  readonly env: Record<string, string>;
  /** Devices currently plugged in. */
  readonly devices: readonly PluggedDevice[];
  /** Plugs in a device (raises an "add" uevent). */
  addDevice(device: SimulatedUsbDevice, placement?: LabPlacement): Promise<PluggedDevice>;
  /** Unplugs a device (raises a "remove" uevent; transfers in flight end as "no device"). */
  removeDevice(device: PluggedDevice | SimulatedUsbDevice): Promise<void>;
  /** Runs a command in the lab with inherited stdio and returns its exit code; `extraEnv` adds variables. */
  run(command: string, args: string[], extraEnv?: Record<string, string>): Promise<number>;
  /** Runs a command in the lab and captures its output. */
  output(command: string, args: string[], extraEnv?: Record<string, string>): Promise<LabOutput>;
  /** Starts a command in the lab with piped stdin/stdout/stderr, for tests that talk to it. */
  spawn(command: string, args: string[], extraEnv?: Record<string, string>): Deno.ChildProcess;
  /** Unplugs everything, stops the bridge and deletes the testbed. */
  close(): Promise<void>;
}

/** Options of {@linkcode startUsbLab}. */
export interface UsbLabOptions {
  /** Devices to plug in at start. */
  devices?: (LabDeviceSpec | SimulatedUsbDevice)[];
  /** Python interpreter with `gi` and UMockdev typelib (default `/usr/bin/python3`). */
  python?: string;
  /** Called for every control request, e.g. for tracing. */
  onControl?: (device: PluggedDevice, setup: UsbSetup, data: Uint8Array) => void;
}

interface BridgeMessage {
  op: string;
  ref?: number;
  message?: string;
  dir?: string;
  dev?: string;
  seq?: number;
  setup?: number[];
  data?: string;
  interface?: number;
  alt?: number;
}

const BUS = 1;

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function isSpec(entry: LabDeviceSpec | SimulatedUsbDevice): entry is LabDeviceSpec {
  return "device" in entry;
}

/** Starts the bridge and plugs in `options.devices`. Throws {@linkcode UsbLabError} if umockdev is missing. */
export async function startUsbLab(options: UsbLabOptions = {}): Promise<UsbLab> {
  const python = options.python ?? "/usr/bin/python3";
  const bridgePath = new URL("./bridge.py", import.meta.url);
  if (bridgePath.protocol !== "file:") {
    throw new UsbLabError(`the USB lab runs from a local checkout, not ${bridgePath}`);
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(python, {
      args: ["-u", bridgePath.pathname],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new UsbLabError(`cannot start ${python} for the USB lab bridge (install: apt install ${LAB_PACKAGES})`, {
      cause: error,
    });
  }
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let stderrText = "";
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      const text = decoder.decode(chunk, { stream: true });
      stderrText += text;
      if (Deno.env.get("USB_LAB_DEBUG")) await Deno.stderr.write(chunk);
    }
  })();

  const plugged = new Map<string, PluggedDevice>();
  const queues = new Map<string, Promise<void>>();
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextRef = 1;
  let nextDevnum = 2;
  let nextPort = 1;
  let nextId = 1;
  let closed = false;
  let bridgeExited = false;
  let readyResolve: (dir: string) => void = () => {};
  let readyReject: (e: Error) => void = () => {};
  const ready = new Promise<string>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });

  const send = async (message: Record<string, unknown>): Promise<void> => {
    await writer.write(encoder.encode(JSON.stringify(message) + "\n"));
  };
  const request = (message: Record<string, unknown>): Promise<void> => {
    const ref = nextRef++;
    const done = new Promise<void>((resolve, reject) => pending.set(ref, { resolve, reject }));
    return send({ ...message, ref }).then(() => done);
  };

  const answer = async (pluggedDevice: PluggedDevice, seq: number, setup: UsbSetup, data: Uint8Array) => {
    options.onControl?.(pluggedDevice, setup, data);
    const standard = answerStandardRequest(pluggedDevice.device, setup);
    const reply = standard !== undefined ? standard : await pluggedDevice.device.handleControl(setup, data);
    if (!plugged.has(pluggedDevice.id) || closed) return; // unplugged meanwhile: the bridge already failed the URB
    if (reply === STALL) {
      await send({ op: "reply", dev: pluggedDevice.id, seq, status: "stall" });
    } else {
      await send({ op: "reply", dev: pluggedDevice.id, seq, status: "ok", data: reply ? toHex(reply) : "" });
    }
  };

  const onMessage = (message: BridgeMessage) => {
    switch (message.op) {
      case "ready":
        readyResolve(message.dir ?? "");
        break;
      case "ok":
      case "error": {
        const waiter = pending.get(message.ref ?? -1);
        pending.delete(message.ref ?? -1);
        if (message.op === "ok") waiter?.resolve();
        else waiter?.reject(new UsbLabError(`USB lab bridge: ${message.message}`));
        break;
      }
      case "control": {
        const target = plugged.get(message.dev ?? "");
        if (!target || !message.setup) break;
        const [bmRequestType, bRequest, wValue, wIndex, wLength] = message.setup;
        const setup: UsbSetup = { bmRequestType, bRequest, wValue, wIndex, wLength };
        const data = fromHex(message.data ?? "");
        const seq = message.seq ?? 0;
        // One request at a time per device, in arrival order, as on a real default pipe.
        const previous = queues.get(target.id) ?? Promise.resolve();
        const next = previous
          .then(() => answer(target, seq, setup, data))
          .catch(async (error) => {
            if (bridgeExited || closed) throw error;
            console.error(`usb lab: device ${target.id} failed on a control request; answering STALL:`, error);
            await send({ op: "reply", dev: target.id, seq, status: "stall" });
          })
          .catch((error) => {
            // Once the bridge is gone nobody waits for this answer; its exit is reported by close().
            if (!bridgeExited && !closed) console.error(`usb lab: cannot answer device ${target.id}:`, error);
          });
        queues.set(target.id, next);
        break;
      }
      case "setalt": {
        const target = plugged.get(message.dev ?? "");
        if (!target) break;
        // In order with the control requests before it (a timed-out one may still be running).
        const previous = queues.get(target.id) ?? Promise.resolve();
        queues.set(
          target.id,
          previous.then(() => target.device.setAlternateSetting(message.interface ?? 0, message.alt ?? 0))
            .catch((error) => console.error(`usb lab: device ${target.id} failed on SET_INTERFACE:`, error)),
        );
        break;
      }
    }
  };

  const stdoutDone = (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of child.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.trim()) continue;
        let message: BridgeMessage;
        try {
          message = JSON.parse(line) as BridgeMessage;
        } catch (error) {
          console.error(`usb lab: unreadable line from the bridge: ${line}`, error);
          continue;
        }
        onMessage(message);
      }
    }
  })();

  const exited = child.status.then((status) => {
    bridgeExited = true;
    const failure = new UsbLabError(
      `USB lab bridge exited (code ${status.code}): ${stderrText.trim() || "no message"}` +
        ` (needs /usr/bin/python3 with: apt install ${LAB_PACKAGES})`,
    );
    readyReject(failure);
    for (const waiter of pending.values()) waiter.reject(failure);
    pending.clear();
    return status;
  });

  let dir: string;
  try {
    dir = await ready;
  } catch (error) {
    await Promise.allSettled([stdoutDone, stderrDone, writer.close()]);
    await exited;
    throw error;
  }

  const env: Record<string, string> = {
    LD_PRELOAD: [UMOCKDEV_PRELOAD, Deno.env.get("LD_PRELOAD")].filter((p) => p).join(" "),
    UMOCKDEV_DIR: dir,
  };

  const addDevice = async (device: SimulatedUsbDevice, placement: LabPlacement = {}): Promise<PluggedDevice> => {
    const devnum = placement.devnum ?? nextDevnum;
    nextDevnum = Math.max(nextDevnum, devnum) + 1;
    const port = placement.port ?? `${BUS}-${nextPort++}`;
    const entry: PluggedDevice = { id: `d${nextId++}`, busnum: BUS, devnum, port, device };
    plugged.set(entry.id, entry);
    try {
      await request({
        op: "add",
        id: entry.id,
        busnum: BUS,
        devnum,
        port,
        speed: placement.speed ?? "12",
        descriptors: toHex(device.descriptors()),
      });
    } catch (error) {
      plugged.delete(entry.id);
      throw error;
    }
    return entry;
  };

  const removeDevice = async (which: PluggedDevice | SimulatedUsbDevice): Promise<void> => {
    const entry = [...plugged.values()].find((p) => p === which || p.device === which);
    if (!entry) throw new UsbLabError("removeDevice: that device is not plugged in");
    plugged.delete(entry.id);
    queues.delete(entry.id);
    await request({ op: "remove", id: entry.id });
  };

  const command = (cmd: string, args: string[], mode: "inherit" | "piped" | "output", extraEnv = {}) =>
    new Deno.Command(cmd, {
      args,
      env: { ...extraEnv, ...env },
      stdin: mode === "output" ? "null" : mode,
      stdout: mode === "output" ? "piped" : mode,
      stderr: mode === "output" ? "piped" : mode,
    });

  const lab: UsbLab = {
    dir,
    env,
    get devices() {
      return [...plugged.values()];
    },
    addDevice,
    removeDevice,
    async run(cmd, args, extraEnv) {
      return (await command(cmd, args, "inherit", extraEnv).output()).code;
    },
    async output(cmd, args, extraEnv) {
      const result = await command(cmd, args, "output", extraEnv).output();
      const decoder = new TextDecoder();
      return { code: result.code, stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr) };
    },
    spawn(cmd, args, extraEnv) {
      return command(cmd, args, "piped", extraEnv).spawn();
    },
    async close() {
      if (closed) return;
      closed = true;
      plugged.clear();
      try {
        if (!bridgeExited) await send({ op: "quit" });
        await writer.close();
      } catch (error) {
        // A bridge that died on its own closed the pipe first; its exit is reported below, not this write.
        if (!bridgeExited) throw error;
      }
      await Promise.allSettled([stdoutDone, stderrDone]);
      const status = await exited;
      if (status.code !== 0) {
        throw new UsbLabError(`USB lab bridge exited with code ${status.code}: ${stderrText.trim()}`);
      }
    },
  };

  try {
    for (const entry of options.devices ?? []) {
      if (isSpec(entry)) await addDevice(entry.device, entry);
      else await addDevice(entry);
    }
  } catch (error) {
    await lab.close();
    throw error;
  }
  return lab;
}
