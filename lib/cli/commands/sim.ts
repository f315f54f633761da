/**
 * `sim usart --chip CHIP`: serve a simulated chip's USART bootloader on a pseudo-terminal, so that any host —
 * this tool with `--port`, or stm32flash — can talk to it like a board on a USB-serial adapter. The pty's path is
 * the first line on stdout; the simulator serves until SIGINT or SIGTERM. `--flash-file` keeps the flash contents
 * (a raw image of the whole flash) across runs and for inspection.
 *
 * @module
 */

import { parseNumber } from "../args.ts";
import type { CommandSpec, Console } from "../command.ts";
import { formatAddress, formatSize } from "../../chips/format.ts";
import { DeviceError, InputError } from "../../errors.ts";
import { simulatedPart, simulatedPartNames } from "../../sim/parts.ts";
import { PtyDeviceLink } from "../../sim/pty_link.ts";
import { SimulatedChip } from "../../sim/sim_chip.ts";
import { INSTANT, realTimeClock } from "../../sim/timing.ts";
import { UsartBootloaderDevice } from "../../sim/usart_device.ts";
import { type FaultSpec, parseFaultSpec, USART_FAULT_KINDS } from "../../sim/faults.ts";
import { openPseudoTerminal } from "../../transport/serial/pty.ts";
import { GuardedReadError, quotePath, readGuarded } from "../../files/guarded_read.ts";
import { outputPathProblem } from "../../files/output_path.ts";

/** How long after the last flash change the flash file is written. */
const SAVE_DEBOUNCE_MS = 100;

/** The `sim` command. */
export const simCommand: CommandSpec = {
  name: "sim",
  summary: "serve a simulated chip's bootloader on a pseudo-terminal (for stm32flash or --port)",
  usage:
    "sim usart --chip CHIP [--flash-file PATH] [--time-scale N] [--latency-ms MS] [--frame-bits N] [--fault SPEC]... [--unique-id HEX]",
  description: "Prints the pseudo-terminal's path as the first line, then serves until Ctrl-C (SIGINT) or SIGTERM.\n" +
    "The simulator answers only while the host has the port in raw 8-bit mode; a pty carries no parity, so use\n" +
    "8N1 hosts (stm32flash -m 8n1). Simulated chips: " + simulatedPartNames().join(", ") + ".",
  options: [
    { name: "chip", type: "string", valueName: "CHIP", description: "the part to simulate, e.g. stm32f103c8" },
    {
      name: "flash-file",
      type: "string",
      valueName: "PATH",
      description: "raw image of the whole flash: loaded at start if it exists, saved on change and on exit",
    },
    {
      name: "time-scale",
      type: "string",
      valueName: "N",
      description: "flash and link timing from the datasheets x N (default 0: no waiting)",
    },
    {
      name: "latency-ms",
      type: "string",
      valueName: "MS",
      description: "USB-serial adapter turnaround latency per reply (16: FTDI default, 1: low-latency mode; default 0)",
    },
    {
      name: "fault",
      type: "string",
      valueName: "SPEC",
      multiple: true,
      description: "inject a fault, KIND[@POINT][:key=value,...] (lib/sim/faults.ts), e.g. " +
        "corrupt-reply@get-id:byte=3,bit=2 or nack-once@write-memory:occurrence=5; repeatable",
    },
    {
      name: "frame-bits",
      type: "string",
      valueName: "N",
      description: "bits per byte on the simulated wire (default 11: 8E1, as the bootloader's UART; 10 for 8N1)",
    },
    {
      name: "unique-id",
      type: "string",
      valueName: "HEX",
      description: "the chip's 96-bit unique ID, 24 hex digits (default: the part name in ASCII, the same every run)",
    },
  ],
  examples: [
    ["sim usart --chip stm32f103c8", "serve a Blue Pill; then: stm32flash -m 8n1 /dev/pts/N"],
    [
      "sim usart --chip stm32f103c8 --unique-id 0123456789abcdef01234567",
      "a board of its own, e.g. one slot of a gang",
    ],
    ["sim usart --chip stm32f405rg --flash-file f405.bin", "keep the flash contents in f405.bin"],
    ["sim usart --chip stm32f103cb --time-scale 1 --latency-ms 16", "real-time link and flash behind an FTDI adapter"],
    ["sim usart --chip stm32f103c8 --fault drop-reply@write-memory:occurrence=3,byte=2", "lose one write's ACK"],
  ],
  async run(args, console) {
    const [protocol, ...extra] = args.positionals;
    if (protocol !== "usart" || extra.length > 0) {
      throw new InputError(
        "E_USAGE",
        `sim serves the USART bootloader: 'sim usart', not '${args.positionals.join(" ")}'`,
        {
          hint: "flashrecipe sim usart --chip stm32f103c8",
        },
      );
    }
    const chipName = args.options.chip as string | undefined;
    if (!chipName) {
      throw new InputError("E_USAGE", "sim usart needs --chip CHIP", {
        hint: `choose one of: ${simulatedPartNames().join(", ")}`,
      });
    }
    const part = simulatedPart(chipName);
    const scaleText = args.options["time-scale"] as string | undefined;
    const scale = scaleText === undefined ? 0 : parseNumber(scaleText, "--time-scale", { max: 1000 });
    const latencyText = args.options["latency-ms"] as string | undefined;
    const latencyMs = latencyText === undefined ? 0 : parseNumber(latencyText, "--latency-ms", { max: 10_000 });
    const frameText = args.options["frame-bits"] as string | undefined;
    const frameBits = frameText === undefined ? 11 : parseNumber(frameText, "--frame-bits");
    if (frameBits < 7 || frameBits > 12) {
      throw new InputError("E_USAGE", `--frame-bits must be 7 to 12, not ${frameBits}`, {
        hint: "11 for 8E1 (the bootloader's format), 10 for 8N1",
      });
    }
    const faultTexts = (args.options.fault as string[] | string | undefined) ?? [];
    const faults = (Array.isArray(faultTexts) ? faultTexts : [faultTexts]).map((text) => parseFaultSpec(text));
    const unsupported = faults.find((f) => !(USART_FAULT_KINDS as readonly string[]).includes(f.kind));
    if (unsupported) {
      throw new InputError("E_USAGE", `--fault ${unsupported.kind}: the USART simulator does not commit it`, {
        hint: `choose one of ${USART_FAULT_KINDS.join(", ")}`,
      });
    }
    const uniqueId = parseUniqueId(args.options["unique-id"] as string | undefined);
    const flashFile = args.options["flash-file"] as string | undefined;
    const initial = flashFile === undefined ? undefined : await loadFlashFile(flashFile, part.part.flashSize, console);
    return await serve({ part, flashFile, initial, scale, latencyMs, frameBits, faults, uniqueId, console });
  },
};

/** `--unique-id`: 24 hex digits, the 12 bytes in the order the chip's registers hold them. */
function parseUniqueId(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9a-f]{24}$/i.test(text)) {
    throw new InputError("E_USAGE", `--unique-id must be 24 hex digits (96 bits), not '${text}'`, {
      hint: "e.g. --unique-id 0123456789abcdef01234567",
    });
  }
  return Uint8Array.from({ length: 12 }, (_, i) => parseInt(text.slice(i * 2, i * 2 + 2), 16));
}

async function loadFlashFile(path: string, size: number, console: Console): Promise<Uint8Array | undefined> {
  // Saved on every change: a path that cannot be written is refused before the simulator starts.
  const problem = await outputPathProblem(path);
  if (problem !== undefined) {
    throw new InputError("E_FILE", `cannot write the flash file ${quotePath(path)}: ${problem}`, {
      hint: "name a file in an existing folder",
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = await readGuarded(path, "flash-file");
  } catch (error) {
    if (error instanceof GuardedReadError && error.missing) return undefined;
    throw error;
  }
  if (bytes.length !== size) {
    console.err(`warning: ${path} holds ${bytes.length} bytes, the flash ${size}; the rest reads as erased`);
  }
  return bytes.subarray(0, size);
}

interface ServeOptions {
  part: ReturnType<typeof simulatedPart>;
  flashFile?: string;
  initial?: Uint8Array;
  scale: number;
  latencyMs: number;
  frameBits: number;
  faults: FaultSpec[];
  uniqueId?: Uint8Array;
  console: Console;
}

async function serve(
  { part, flashFile, initial, scale, latencyMs, frameBits, faults, uniqueId, console }: ServeOptions,
): Promise<number> {
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  const save = async () => {
    saveTimer = undefined;
    if (!flashFile || !dirty) return;
    dirty = false;
    // Write beside the file, then rename: a reader never sees half a flash.
    const temporary = `${flashFile}.tmp-${Deno.pid}`;
    await Deno.writeFile(temporary, chip.flash.bytes);
    await Deno.rename(temporary, flashFile);
  };
  const saving = new Set<Promise<void>>();
  const track = (job: Promise<void>) => {
    const settled = job.catch((error) => console.err(`warning: could not save ${flashFile}: ${error}`))
      .finally(() => saving.delete(settled));
    saving.add(settled);
  };
  const chip = new SimulatedChip(part, {
    flash: initial,
    uniqueId,
    onChange: () => {
      if (!flashFile) return;
      dirty = true;
      if (saveTimer !== undefined) clearTimeout(saveTimer);
      saveTimer = setTimeout(() => track(save()), SAVE_DEBOUNCE_MS);
    },
  });
  if (flashFile && !initial) {
    dirty = true;
    await save();
  }

  const pty = openPseudoTerminal();
  console.out(pty.path);
  console.err(
    `simulating ${part.chip.name} (${part.part.part}, ${formatSize(part.part.flashSize)} flash at ` +
      `${formatAddress(part.chip.flash.base)}) on ${pty.path}; stop with Ctrl-C`,
  );
  let dropNoticeShown = false;
  const link = new PtyDeviceLink(pty, {
    onDrop(count, settings) {
      if (dropNoticeShown) return;
      dropNoticeShown = true;
      console.err(
        `note: ignored ${count} byte(s) received while the port was not raw 8-bit (raw=${settings.raw}, ` +
          `${settings.dataBits} data bits); the host must configure the port first`,
      );
    },
  });
  const device = new UsartBootloaderDevice(chip, link, {
    clock: scale > 0 ? realTimeClock(scale) : INSTANT,
    // The byte time follows the rate the host set. A pty carries no parity bit, but the link it stands for is the
    // bootloader's 8E1 UART: 11 bits a byte by default (AN3155 §2).
    baudRate: () => pty.slaveSettings().baudRate || 115200,
    bitsPerByte: frameBits,
    turnaroundMs: latencyMs,
    // A pty carries no parity: a corrupted reply byte reaches the host unflagged, as on a link without it.
    inject: faults,
    onReset(cause) {
      console.err(`note: the chip reset (${cause}); its bootloader waits for a new sync`);
      return true;
    },
    onGo(address) {
      console.err(`note: application started at ${formatAddress(address)}; restart the simulator to re-enter`);
    },
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void link.close().then(() => pty.close());
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  try {
    for (;;) {
      try {
        await device.serve();
        break;
      } catch (error) {
        if (stopping) break;
        // A host that vanishes mid-reply (killed, unplugged) leaves a write stalled: start over, as after a reset.
        if (!(error instanceof DeviceError)) throw error;
        console.err(`note: ${error.message}; the bootloader restarts`);
        await link.discardInput();
        device.restart();
      }
    }
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
    if (saveTimer !== undefined) clearTimeout(saveTimer);
    await Promise.all(saving);
    await save();
    await pty.close();
  }
  return 0;
}
