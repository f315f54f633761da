/**
 * Test helper run INSIDE the USB lab (under libumockdev-preload): drives our libusb FFI transport from JSON
 * commands on stdin, one per line, and answers each with one JSON line on stdout, so a test can interleave
 * transport calls with lab actions (plugging devices in and out).
 *
 * Commands: {op:"list"} | {op:"open", selector} | {op:"in", setup, timeoutMs} | {op:"inTicking", setup, timeoutMs} | {op:"out", setup, data, timeoutMs}
 * | {op:"claim", interface} | {op:"reset"} | {op:"alt", interface, alt} | {op:"string", index} | {op:"close"}
 * | {op:"wait", selector, timeoutMs} | {op:"waitGone", selector, timeoutMs} | {op:"exit"}.
 * Answers: {ok: result} or {error: {name, code, message, hint}}.
 *
 * @module
 */

import { FlashRecipeError } from "../../lib/errors.ts";
import type { UsbSetup } from "../../lib/transport/usb/control.ts";
import {
  type LibusbDevice,
  listUsbDevices,
  openUsbDevice,
  waitForDevice,
  waitForDeviceGone,
} from "../../lib/transport/usb/libusb.ts";
import { parseUsbSelector } from "../../lib/transport/usb/selector.ts";

interface Command {
  op: string;
  selector?: string;
  setup?: UsbSetup;
  data?: number[];
  timeoutMs?: number;
  interface?: number;
  alt?: number;
  index?: number;
}

let device: LibusbDevice | undefined;

function opened(): LibusbDevice {
  if (!device) throw new Error("no device open");
  return device;
}

async function execute(command: Command): Promise<unknown> {
  switch (command.op) {
    case "list":
      return await listUsbDevices();
    case "open":
      device = await openUsbDevice(parseUsbSelector(command.selector ?? ""));
      return device.info;
    case "in":
      return Array.from(await opened().controlIn(command.setup!, command.timeoutMs ?? 1000));
    case "inTicking": {
      // Counts timer callbacks that run while the transfer is pending: a blocked event loop would run none.
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      try {
        const data = await opened().controlIn(command.setup!, command.timeoutMs ?? 1000);
        return { data: Array.from(data), ticks };
      } finally {
        clearInterval(timer);
      }
    }
    case "out":
      await opened().controlOut(command.setup!, Uint8Array.from(command.data ?? []), command.timeoutMs ?? 1000);
      return null;
    case "claim":
      await opened().claimInterface(command.interface ?? 0);
      return null;
    case "alt":
      await opened().setAlternateSetting(command.interface ?? 0, command.alt ?? 0);
      return null;
    case "reset":
      await opened().reset();
      return null;
    case "string":
      return await opened().getStringDescriptor(command.index ?? 0);
    case "close":
      await opened().close();
      device = undefined;
      return null;
    case "wait":
      return await waitForDevice(parseUsbSelector(command.selector ?? ""), {
        timeoutMs: command.timeoutMs ?? 5000,
        pollMs: 50,
      });
    case "waitGone":
      await waitForDeviceGone(parseUsbSelector(command.selector ?? ""), {
        timeoutMs: command.timeoutMs ?? 5000,
        pollMs: 50,
      });
      return null;
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

const encoder = new TextEncoder();
const reply = (value: unknown) =>
  Deno.stdout.write(
    encoder.encode(
      JSON.stringify(value, (_key, v) => v instanceof Uint8Array ? Array.from(v) : v) + "\n",
    ),
  );

const decoder = new TextDecoder();
let buffered = "";
reading: for await (const chunk of Deno.stdin.readable) {
  buffered += decoder.decode(chunk, { stream: true });
  let newline: number;
  while ((newline = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    const command = JSON.parse(line) as Command;
    if (command.op === "exit") break reading;
    try {
      await reply({ ok: await execute(command) });
    } catch (error) {
      if (error instanceof FlashRecipeError) {
        await reply({ error: { name: error.name, code: error.code, message: error.message, hint: error.hint } });
      } else {
        await reply({ error: { name: "Error", code: "", message: String(error) } });
      }
    }
  }
}
if (device) await device.close();
