/**
 * `jump-to-system-memory`: ask a running application to jump to the ROM bootloader through its USB CDC port,
 * then wait for the DFU bootloader to enumerate and connect to it, so the rest of the recipe runs over DFU.
 *
 * The application must cooperate: by a common convention (and the default here) it jumps when it receives the
 * single byte 0xAA; `trigger:` gives another sequence. The CDC port is found by `port:` (a path) or by the USB
 * identity of the application's virtual COM port (default 0483:5740, ST's VCP example).
 *
 * @module
 */

import { z } from "zod";
import { DeviceError, FlashRecipeError, InputError } from "../../errors.ts";
import { duration, durationMs } from "../params.ts";
import { defineStep } from "../step.ts";

const VID_PID = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

function hexBytes(bytes: readonly number[]): string {
  return bytes.map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");
}

/**
 * The DFU bootloader did not appear after the trigger: in the field that is almost always the application — it did
 * not recognise the trigger, or its jump code did not hand the chip over cleanly (AN2606 "How to jump to system
 * memory from the application": interrupts and SysTick off, clocks back to reset state, the system memory remapped
 * where the series needs it, MSP loaded from system memory before jumping to its reset vector).
 */
function explainNoBootloader(error: unknown, trigger: string, port: string, waitMs: number): unknown {
  if (!(error instanceof FlashRecipeError) || error.code !== "E_USB_WAIT_TIMEOUT") return error;
  return new DeviceError(
    "E_USB_WAIT_TIMEOUT",
    `sent ${trigger} to the application on ${port}, but no DFU bootloader appeared within ${waitMs} ms`,
    {
      hint: "check the application's jump code, the usual cause: does it react to this trigger, and does it " +
        "disable interrupts and SysTick, reset the clocks, remap system memory and load its stack pointer before " +
        "jumping (AN2606)? also: BOOT pins or option bytes that keep the bootloader from starting, or a slow USB " +
        `enumeration (raise timeout:). ${error.message}${error.hint ? `; ${error.hint}` : ""}`,
      cause: error,
    },
  );
}

/** The `jump-to-system-memory` step. */
export const jumpToSystemMemoryStep = defineStep({
  name: "jump-to-system-memory",
  summary: "make the running application jump to its USB DFU bootloader (0xAA on its CDC port), then connect",
  usage: 'jump-to-system-memory: { port: /dev/ttyACM0 } | { cdc: "0483:5740", trigger: [0xAA], timeout: 5s }',
  flow: { needsTarget: false, connects: true, transport: "dfu" },
  schema: z.strictObject({
    port: z.string().optional().describe("the application's CDC serial port; empty or absent: find it by cdc"),
    cdc: z.string().regex(VID_PID, "vid:pid such as 0483:5740").default("0483:5740").describe(
      "USB vid:pid of the application's CDC port, used when no port is given",
    ),
    serial: z.string().min(1).optional().describe("USB serial number of the CDC port, to choose among several"),
    trigger: z.array(z.number().int().min(0).max(255)).min(1).max(64).default([0xaa]).describe(
      "bytes that make the application jump to the bootloader",
    ),
    baud: z.number().int().min(1200).max(4_000_000).default(115200).describe("line coding (CDC ignores it)"),
    usb: z.string().min(1).optional().describe("the DFU device to wait for; default --usb / target.usb / 0483:df11"),
    timeout: duration.default("5s").describe("how long the DFU device may take to appear"),
  }),
  async run(params, context) {
    if (!context.board.openSerialPort) {
      throw new InputError("E_RECIPE", "jump-to-system-memory needs a USB target", {
        hint: "set target.transport: dfu",
      });
    }
    const path = params.port ? params.port : undefined;
    const [, vid, pid] = VID_PID.exec(params.cdc) ?? [];
    const port = await context.board.openSerialPort({
      path,
      vid: path ? undefined : parseInt(vid, 16),
      pid: path ? undefined : parseInt(pid, 16),
      serial: path ? undefined : params.serial,
      baud: params.baud,
    });
    try {
      await port.write(new Uint8Array(params.trigger));
    } finally {
      await port.close();
    }
    await context.disconnect();
    const waitMs = durationMs(params.timeout);
    const started = Date.now();
    let target;
    try {
      target = await context.connect({ baud: context.baud, retries: 1, usb: params.usb, waitMs });
    } catch (error) {
      throw explainNoBootloader(error, hexBytes(params.trigger), path ?? params.cdc, waitMs);
    }
    const { identity } = target;
    return {
      summary: `sent ${hexBytes(params.trigger)} to ${path ?? params.cdc}; DFU bootloader up after ` +
        `${Date.now() - started} ms: ${identity.chip.name}, ${identity.flashSize / 1024} KiB flash`,
    };
  },
});
