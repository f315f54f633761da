/**
 * `station RECIPE` with several slots — `--port P1 --port P2 …`, `--usb SEL1 --usb SEL2 …`, or `--simulate CHIP
 * --slots N`: the command-line side of gang flashing. It reads the slots from the arguments, opens the store, the
 * log and the session as a one-board station does (station_records.ts), starts a {@linkcode Gang} on a
 * {@linkcode SlotScreen}, and handles Ctrl-C as a one-board station does (stop_request.ts: the first lets every slot
 * finish its board; the second records the boards in progress as `ABORTED` and quits).
 *
 * @module
 */

import type { ParsedArgs } from "../args.ts";
import { parseNumber } from "../args.ts";
import { coloursFor } from "../colour.ts";
import type { Console } from "../command.ts";
import { createConnector } from "../connector.ts";
import type { JsonEventWriter } from "../json_reporter.ts";
import { askOnTerminal } from "../prompt.ts";
import { prepareRun } from "../run_setup.ts";
import { type BoardSource, portBoards, simulatedBoards, stdinLines, usbDevicePresent } from "./board_source.ts";
import { fixedPortBoards, RoundGate } from "./fixed_boards.ts";
import { Gang, type GangSlot } from "./gang.ts";
import { SlotScreen } from "./slot_screen.ts";
import { openStationRecords, recordsLine, reportStationEnd, stationStartEvent } from "./station_records.ts";
import { boardLimit, stationPace } from "./station_pace.ts";
import { installStationStop, StopRequest } from "./stop_request.ts";
import { StationTally } from "./tally.ts";
import { InputError } from "../../errors.ts";
import { holdNonBlockingWaits } from "../../transport/serial/wait_policy.ts";

/** Most slots one station process runs. */
export const MAX_SLOTS = 64;

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
  const boards = boardLimit(args);
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

  // As in the one-slot station: without --boards, simulated slots at a terminal run a round per Enter, and a script
  // gets one board per slot.
  const { limit, manual, oneRound } = stationPace(args, boards, link.simulate !== undefined, choice.count);
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

  // PostgreSQL: a connection per slot writing at once, plus the station's claim.
  const records = await openStationRecords(args, recipe, {
    simulate: link.simulate !== undefined,
    warn,
    store: { maxConnections: choice.count + 1 },
  });
  const { station, log } = records;
  const stop = new StopRequest();
  const gang = new Gang({
    recipe,
    flags,
    slots,
    session: records.session,
    start: records.start,
    log,
    station,
    firmwareSha256: records.firmwareSha256,
    limit,
    policy: records.policy,
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
  installStationStop(stop, {
    stopping: () =>
      note("stopping: every slot finishes its board (Ctrl-C again to quit now, recording them as ABORTED)"),
    inProgress: gang.boardsInProgress,
    beforeExit: () => screen.close(),
  });
  try {
    if (json) {
      json.emit({
        ...stationStartEvent(records, recipe, slots.map((slot) => slot.source.description).join(", ")),
        slots: slots.map((slot) => slot.name),
      });
    } else if (!quiet) {
      console.out(`station ${station}: ${recipe.header.name} on ${slots.length} slots`);
      for (const slot of slots) console.out(`  slot ${slot.name}: ${slot.source.description}`);
      console.out(recordsLine(records));
      console.out("Ctrl-C stops once every slot has finished its board");
    }
    if (oneRound) note(`simulating one board per slot (--boards N for more)`);
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
    await records.close();
  }
  return reportStationEnd(console, json, { station, tally, colour, logPath: log.path });
}
