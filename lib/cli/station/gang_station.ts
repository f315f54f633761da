/**
 * `station RECIPE` with several slots — `--port P1 --port P2 …`, `--usb SEL1 --usb SEL2 …`, or `--simulate CHIP
 * --slots N`: the command-line side of gang flashing. It reads the slots from the arguments, opens the store, the
 * log and the session as a one-board station does, starts a {@linkcode Gang} on a {@linkcode SlotScreen}, and
 * handles Ctrl-C (the first lets every slot finish its board; the second records the boards in progress as
 * `ABORTED` and quits).
 *
 * @module
 */

import { parseAssignments, type ParsedArgs, parseNumber } from "../args.ts";
import { coloursFor } from "../colour.ts";
import type { Console } from "../command.ts";
import { createConnector } from "../connector.ts";
import type { JsonEventWriter } from "../json_reporter.ts";
import { askOnTerminal } from "../prompt.ts";
import { prepareRun } from "../run_setup.ts";
import { VERSION } from "../version.ts";
import { DEFAULT_DB, interruptedWarning, operatorAndLot, storeErrorPolicy, storeSpec } from "../production_flags.ts";
import { type BoardSource, portBoards, simulatedBoards, stdinLines, usbDevicePresent } from "./board_source.ts";
import { fixedPortBoards, RoundGate } from "./fixed_boards.ts";
import { firmwareSha256 } from "./firmware_hash.ts";
import { Gang, type GangSlot } from "./gang.ts";
import { StationLog } from "./log_writer.ts";
import { SlotScreen } from "./slot_screen.ts";
import { SECOND_INTERRUPT_EXIT, StopRequest } from "./stop_request.ts";
import { formatTally, StationTally } from "./tally.ts";
import { InputError } from "../../errors.ts";
import { openStore } from "../../production/open_store.ts";
import { sha256Hex } from "../../production/hash.ts";
import { holdNonBlockingWaits } from "../../transport/serial/wait_policy.ts";

/** The default log file, in the current folder (the one-board station's too). */
export const DEFAULT_GANG_LOG = "flashrecipe-station.csv";

/** Most slots one station process runs. */
export const MAX_SLOTS = 64;

/** How long the second Ctrl-C waits for the `ABORTED` records before the process quits, ms. */
const ABORT_RECORD_WAIT_MS = 3000;

/** What the command line asks for: one slot (the classic station) or a gang. */
export interface SlotChoice {
  /** Serial ports, one slot each. */
  ports: string[];
  /** USB DFU devices (selectors), one slot each. */
  usb: string[];
  /** Slots (`--slots`, or the number of ports or USB devices). */
  count: number;
}

/** Reads `--port` (repeated), `--usb` (repeated) and `--slots`, and checks they agree. */
export function slotChoice(args: ParsedArgs): SlotChoice {
  const ports = listOption(args.options.port);
  const usb = listOption(args.options.usb);
  const slotsText = args.options.slots as string | undefined;
  const slots = slotsText === undefined ? undefined : parseNumber(slotsText, "--slots");
  if (slots !== undefined && (slots < 1 || slots > MAX_SLOTS)) {
    throw new InputError("E_USAGE", `--slots must be 1 to ${MAX_SLOTS}, not ${slots}`);
  }
  const simulate = args.options.simulate !== undefined;
  if (ports.length > 1 && usb.length > 1) {
    throw new InputError("E_USAGE", "a gang station runs serial ports or USB devices, not both", {
      hint: "give several --port PATH, or several --usb SELECTOR (one per board)",
    });
  }
  const devices = Math.max(ports.length, usb.length);
  if (simulate && ports.length > 0) {
    throw new InputError("E_USAGE", "--simulate and --port both name the board", {
      hint: "use --simulate CHIP --slots N for simulated boards, or --port PATH for real ones",
    });
  }
  if (slots !== undefined && !simulate && devices > 1 && slots !== devices) {
    throw new InputError("E_USAGE", `--slots ${slots} does not match the ${devices} devices given`, {
      hint: "leave out --slots: a gang station has one slot per --port or --usb",
    });
  }
  if (slots !== undefined && slots > 1 && !simulate && devices <= 1) {
    throw new InputError("E_USAGE", `--slots ${slots} needs a device per slot`, {
      hint: "give one --port PATH (or --usb SELECTOR) per slot, or --simulate CHIP for simulated boards",
    });
  }
  if (simulate && usb.length > 1) {
    throw new InputError("E_USAGE", "--simulate takes one --usb (the simulated DFU device); use --slots N", {
      hint: "flashrecipe station RECIPE --simulate CHIP --usb 0483:df11 --slots 4",
    });
  }
  const named = ports.length > 1 ? ports : usb;
  if (new Set(named).size !== named.length) {
    throw new InputError("E_USAGE", "the same device is named for two slots", {
      hint: "each --port (or --usb) is one slot's own board",
    });
  }
  return { ports, usb, count: slots ?? Math.max(1, devices) };
}

/** `args` for the one-slot station: `--port` and `--usb` as single values (a slot choice of one). */
export function singleSlotArgs(args: ParsedArgs, choice: SlotChoice): ParsedArgs {
  return { ...args, options: { ...args.options, port: choice.ports[0], usb: choice.usb[0] } };
}

function listOption(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** Runs a gang station of `choice.count` slots; returns the exit code. */
export async function runGangStation(
  args: ParsedArgs,
  console: Console,
  json: JsonEventWriter | undefined,
  choice: SlotChoice,
): Promise<number> {
  const boardsOption = args.options.boards as string | undefined;
  let limit = boardsOption === undefined ? Infinity : parseNumber(boardsOption, "--boards");
  if (limit < 1) throw new InputError("E_USAGE", "--boards must be at least 1");
  const quiet = args.options.quiet === true;
  const colour = coloursFor(console);
  const tally = new StationTally();
  const gangArgs = singleSlotArgs(args, choice);
  const { recipe, flags, link, warn } = await prepareRun(gangArgs, console, json, "station");
  const { transport, part } = link;
  if (!link.simulate && (transport === "dfu") !== (choice.usb.length > 1)) {
    throw new InputError(
      "E_USAGE",
      transport === "dfu"
        ? "this recipe flashes over USB DFU: give one --usb SELECTOR per slot (serial number or bus-port path)"
        : "--usb names DFU devices, and this recipe flashes over the USART bootloader: give one --port per slot",
      { hint: "`flashrecipe usb` lists the USB devices, `flashrecipe ports` the serial ports" },
    );
  }

  // Simulated boards are there at once: as in the one-slot station (commands/station.ts), without --boards a
  // technician at a terminal gets a round per Enter, and a script gets one board per slot.
  let manual = args.options.manual === true;
  let oneRoundNote = false;
  if (link.simulate && boardsOption === undefined && !manual) {
    if (Deno.stdin.isTerminal()) manual = true;
    else {
      limit = choice.count;
      oneRoundNote = true;
    }
  }
  const names = Array.from({ length: choice.count }, (_, i) => {
    const device = link.simulate ? "sim" : transport === "dfu" ? choice.usb[i] : choice.ports[i];
    return `${i + 1} ${device}`;
  });
  const screen = new SlotScreen(console, { names, tally, colour, quiet: quiet || json !== undefined });
  // --manual: Enter starts a round, every slot's next board at once.
  const gate = manual
    ? new RoundGate(choice.count, stdinLines(), (message) => {
      if (json) json.emit({ event: "station-wait", message });
      else screen.message(message);
      if (screen.live) { for (let i = 0; i < choice.count; i++) screen.waiting(i, "waiting for Enter"); }
    })
    : undefined;
  const slots: GangSlot[] = names.map((name, i) => {
    const notify = (message: string) => {
      if (json) json.emit({ event: "station-wait", slot: i + 1, message });
      else screen.waiting(i, message);
    };
    // A connection's notices (retries, a pty's parity) go above the slot block, never through it.
    const slotWarn = (message: string) => {
      if (json) json.emit({ event: "warning", slot: i + 1, message });
      else screen.message(`warning: [slot ${name}] ${message}`);
    };
    const slotLink = { ...link, warn: slotWarn };
    let source: BoardSource;
    if (link.simulate) {
      source = simulatedBoards(link.simulate, { warn: slotWarn, wiring: recipe.wiring, transport, part });
    } else if (transport === "dfu") {
      const usb = choice.usb[i];
      source = portBoards(usb, {
        exists: () => usbDevicePresent(usb),
        connect: () => createConnector({ ...slotLink, usb, transport: "dfu" }),
        notify,
      });
    } else {
      // --port names the port outright: the recipe's USB adapter match does not apply.
      const connect = (path: string) => createConnector({ ...slotLink, port: path, match: undefined });
      // --manual: a fixed adapter, whose port stays while the boards change.
      source = manual ? fixedPortBoards(choice.ports[i], { connect, notify }) : portBoards(choice.ports[i], {
        connect,
        notify,
      });
    }
    return { name, source: gate ? gate.wrap(source) : source };
  });

  const station = (args.options.station as string | undefined) ?? Deno.hostname();
  const firmware = await firmwareSha256(recipe.planned);
  const policy = storeErrorPolicy(args);
  const start = {
    station,
    ...operatorAndLot(args),
    recipe: recipe.header.name,
    recipeSha256: await sha256Hex(await Deno.readFile(recipe.file)),
    toolVersion: VERSION,
    firmwareSha256: firmware,
    vars: parseAssignments(args.options.set as string[] | undefined),
  };
  // PostgreSQL: a connection per slot writing at once, plus the station's claim.
  const store = await openStore(storeSpec(args, { simulate: link.simulate !== undefined, fallback: DEFAULT_DB }), {
    maxConnections: choice.count + 1,
  });
  let session;
  let log;
  try {
    session = await store.openSession(station);
    log = await StationLog.open((args.options.log as string | undefined) ?? DEFAULT_GANG_LOG);
  } catch (error) {
    await session?.close();
    await store.close();
    throw error;
  }
  for (const board of session.recovered) warn(interruptedWarning(board));
  const stop = new StopRequest();
  const gang = new Gang({
    recipe,
    flags,
    slots,
    session,
    start,
    log,
    station,
    firmwareSha256: firmware,
    limit,
    policy,
    screen,
    tally,
    console,
    json,
    ask: askOnTerminal,
    stop: stop.signal,
  });
  const note = (message: string) => {
    if (json) json.emit({ event: "station-wait", message });
    else screen.message(message);
  };
  stop.install(
    () => note("stopping: every slot finishes its board (Ctrl-C again to quit now, recording them as ABORTED)"),
    () => {
      // Every board in progress is recorded as ABORTED (bounded: a store that does not answer does not keep us).
      const bounded = new Promise((resolve) => setTimeout(resolve, ABORT_RECORD_WAIT_MS));
      Promise.race([gang.abortInProgress(), bounded]).finally(() => {
        screen.close();
        Deno.exit(SECOND_INTERRUPT_EXIT);
      });
    },
  );
  try {
    if (json) {
      json.emit({
        event: "station-start",
        station,
        recipe: recipe.header.name,
        file: recipe.file,
        log: log.path,
        store: store.location,
        firmwareSha256: firmware,
        source: slots.map((slot) => slot.source.description).join(", "),
        slots: slots.map((slot) => slot.name),
      });
    } else if (!quiet) {
      console.out(`station ${station}: ${recipe.header.name} on ${slots.length} slots`);
      for (const slot of slots) console.out(`  slot ${slot.name}: ${slot.source.description}`);
      console.out(`firmware sha256 ${firmware}; records in ${store.location}; logging to ${log.path}`);
      console.out("Ctrl-C stops once every slot has finished its board");
    }
    if (oneRoundNote) note(`simulating one board per slot (--boards N for more)`);
    // Several boards at once: no slot's serial wait may block the thread (lib/transport/serial/wait_policy.ts).
    const release = holdNonBlockingWaits();
    try {
      await gang.run();
    } finally {
      release();
    }
  } finally {
    stop.uninstall();
    screen.close();
    log.close();
    await session.close().catch(() => {});
    await store.close().catch(() => {});
  }
  if (json) {
    json.emit({
      event: "station-end",
      boards: tally.total,
      passed: tally.passed,
      failed: tally.failed,
      yieldPercent: tally.yieldPercent ?? null,
      log: log.path,
    });
  } else {
    console.out(`station ${station} stopped — ${formatTally(tally, colour)}; log: ${log.path}`);
  }
  return tally.failed > 0 ? 1 : 0;
}
