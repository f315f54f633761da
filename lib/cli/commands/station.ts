/**
 * `station RECIPE`: a production station. Runs the recipe board after board — wait for the next board, run, show a
 * large PASS/FAIL, append one record to the log — until Ctrl-C (which lets the current board finish), the end of
 * input, or `--boards N`; then prints counts and yield.
 *
 * @module
 */

import type { ParsedArgs } from "../args.ts";
import { coloursFor } from "../colour.ts";
import type { CommandSpec, Console } from "../command.ts";
import { createConnector } from "../connector.ts";
import { DEFAULT_DFU_SELECTOR } from "../dfu_connector.ts";
import { askOnTerminal } from "../prompt.ts";
import { RUN_FLAG_OPTIONS } from "../run_flags.ts";
import { prepareRun } from "../run_setup.ts";
import { SILENT_REPORTER } from "../../recipe/reporter.ts";
import { JsonEventWriter } from "../json_reporter.ts";
import { chooseReporter } from "../reporters.ts";
import { describeIdentity } from "../run_summary.ts";
import { formatDuration } from "../units.ts";
import { VERSION } from "../version.ts";
import { resultBanner } from "../station/banner.ts";
import {
  type BoardSource,
  manualBoards,
  portBoards,
  simulatedBoards,
  stdinLines,
  usbDevicePresent,
} from "../station/board_source.ts";
import { StationBoards } from "../station/station_boards.ts";
import {
  DEFAULT_STATION_LOG,
  openStationRecords,
  recordsLine,
  reportStationEnd,
  stationStartEvent,
} from "../station/station_records.ts";
import { boardLimit, stationPace } from "../station/station_pace.ts";
import { installStationStop, StopRequest } from "../station/stop_request.ts";
import { StationBoardReporter } from "../station/station_reporter.ts";
import { formatTally, StationTally } from "../station/tally.ts";
import { InputError } from "../../errors.ts";
import type { RunReporter } from "../../recipe/reporter.ts";
import { ON_DB_ERROR_OPTION, RECORD_OPTIONS } from "../production_flags.ts";
import { SIMULATED_PART_NAMES } from "../../sim/part_names.ts";
import { runGangStation, singleSlotArgs, slotChoice } from "../station/gang_station.ts";
import { fixedPortBoards } from "../station/fixed_boards.ts";

/** The default log file, in the current folder. */
export const DEFAULT_LOG = DEFAULT_STATION_LOG;

/** The `station` command. */
export const stationCommand: CommandSpec = {
  name: "station",
  summary: "run a recipe board after board, logging each board (production)",
  usage:
    "station RECIPE [--simulate CHIP [--slots N] | --port PATH...] [--db FILE|URL] [--log FILE] [--station NAME] [--boards N]",
  description:
    "Waits for each board (its serial port appearing, or Enter with --manual), records it in the production\n" +
    "store (--db) before touching it, runs the recipe, shows a large PASS or FAIL, completes the record and\n" +
    "appends a line to the log (CSV or JSON Lines, by the file's extension) before the next board. Ctrl-C finishes\n" +
    "the board in progress, then prints the counts and yield; a second Ctrl-C records it as ABORTED and quits.\n" +
    "--simulate uses a throwaway in-memory store unless --db is given.\n" +
    "The screen shows one line per board while it runs (its step and progress), then the big PASS/FAIL with the\n" +
    "counts and yield; -v shows every step. With --simulate and no --boards, each simulated board waits for Enter\n" +
    "(as --manual) on a terminal, and one board is run otherwise.\n" +
    "Gang mode: several --port (or --usb bus-port paths), or --simulate CHIP --slots N, run a board on every slot at\n" +
    "once, one line per slot on screen; --boards counts boards across slots; --manual: Enter starts every slot's next\n" +
    "board; Ctrl-C lets every slot finish its board.\n" +
    `Exit code: 0 when every board passed, 1 when any failed, 2 on bad usage. Simulated chips: ${
      SIMULATED_PART_NAMES.join(", ")
    }.`,
  options: [
    { name: "simulate", type: "string", valueName: "CHIP", description: "a fresh simulated chip for every board" },
    {
      name: "port",
      type: "string",
      multiple: true,
      valueName: "PATH",
      description: "serial port (overrides target.port); repeat for a gang station, one slot per port",
    },
    {
      name: "usb",
      type: "string",
      multiple: true,
      valueName: "VID:PID",
      description: "DFU device to wait for (overrides target.usb; default 0483:df11); repeat: one slot each",
    },
    { name: "slots", type: "string", valueName: "N", description: "with --simulate: N simulated boards at once" },
    { name: "log", type: "string", valueName: "FILE", description: `log file, *.csv or *.jsonl (${DEFAULT_LOG})` },
    { name: "station", type: "string", valueName: "NAME", description: "station name in the records (host name)" },
    ...RECORD_OPTIONS,
    ON_DB_ERROR_OPTION,
    { name: "manual", type: "boolean", description: "wait for Enter before each board instead of the port" },
    { name: "boards", type: "string", valueName: "N", description: "stop after N boards" },
    { name: "baud", type: "string", valueName: "RATE", description: "serial baud rate (overrides target.baud)" },
    {
      name: "set",
      type: "string",
      multiple: true,
      valueName: "NAME=VALUE",
      description: "set a recipe variable (a file path is the current folder's)",
    },
    ...RUN_FLAG_OPTIONS,
    { name: "json", type: "boolean", description: "print JSON Lines events on stdout (docs/events.md)" },
    { name: "quiet", short: "q", type: "boolean", description: "one line per board" },
    {
      name: "verbose",
      short: "v",
      type: "boolean",
      description: "every step of every board with its result and the summary table (the engineer's view)",
    },
  ],
  examples: [
    ["station prod.yaml --port /dev/ttyUSB0 --log line3.csv", "a board with its own USB-serial port"],
    ["station prod.yaml --port COM3 --db postgres://flash@db1/line --operator ana --lot WO-1", "one station of a line"],
    ["station prod.yaml --port /dev/ttyUSB0 --manual", "a fixed adapter: press Enter for each board"],
    ["station recipes/demo.yaml --simulate stm32f103c8 --boards 3 --log /tmp/demo.jsonl", "try it without boards"],
    ["station prod.yaml --port /dev/ttyUSB0 --port /dev/ttyUSB1 --port /dev/ttyUSB2", "gang: three boards at once"],
    ["station recipes/demo.yaml --simulate stm32f103c8 --slots 4 --boards 8", "a gang of four simulated slots"],
  ],
  run(args, console) {
    const json = args.options.json ? new JsonEventWriter(console) : undefined;
    // Several ports, USB devices or simulated slots: a gang station (lib/cli/station/gang_station.ts).
    const slots = slotChoice(args);
    if (slots.count > 1) return runGangStation(args, console, json, slots);
    return runStation(singleSlotArgs(args, slots), console, json);
  },
};

async function runStation(args: ParsedArgs, console: Console, json: JsonEventWriter | undefined): Promise<number> {
  const boards = boardLimit(args);
  const quiet = args.options.quiet === true;
  const verbose = args.options.verbose === true;
  if (quiet && verbose) throw new InputError("E_USAGE", "--quiet and --verbose contradict each other");
  const colour = coloursFor(console);
  const note = (message: string) => {
    if (json) json.emit({ event: "station-wait", message });
    else console.err(message);
  };
  const { recipe, flags, link: prepared, warn } = await prepareRun(args, console, json, "station");
  // A warning from a board's link while its status line is drawn goes through that board's reporter, which clears
  // the line first; between boards it is printed as it is.
  let screen: RunReporter | undefined;
  const linkWarn = (message: string) => screen?.warning ? screen.warning(message) : warn(message);
  const link = { ...prepared, warn: linkWarn };
  const { transport, part } = link;
  let source: BoardSource | undefined = link.simulate
    ? simulatedBoards(link.simulate, { warn: linkWarn, wiring: recipe.wiring, transport, part })
    : undefined;
  if (!source && transport === "dfu") {
    // The next board is there when its DFU bootloader enumerates; it is gone once the recipe's jump leaves DFU.
    const usb = link.usb ?? DEFAULT_DFU_SELECTOR;
    source = portBoards(usb, {
      exists: () => usbDevicePresent(usb),
      connect: () => createConnector({ ...link, usb }),
      notify: note,
    });
  }
  if (!source) {
    const port = link.port;
    if (!port) {
      throw new InputError("E_USAGE", "no serial port given", {
        hint: "pass --port PATH, set target.port in the recipe, or use --simulate CHIP",
      });
    }
    source = portBoards(port, { connect: (path) => createConnector({ ...link, port: path }), notify: note });
  }
  // Simulated boards without --boards: a board per Enter at a terminal, one board otherwise (said when the first
  // board is due, not before: an error opening the store or the log comes first).
  const { limit, manual, oneRound } = stationPace(args, boards, link.simulate !== undefined, 1);
  if (manual) {
    // A fixed adapter: its port stays while the boards change, so Enter (not the port) says the next board is on.
    const port = link.port;
    if (!link.simulate && transport !== "dfu" && port) {
      source = fixedPortBoards(port, { connect: (path) => createConnector({ ...link, port: path }), notify: note });
    }
    source = manualBoards(source, stdinLines(), note);
  }

  const records = await openStationRecords(args, recipe, { simulate: link.simulate !== undefined, warn });
  const { station, log } = records;
  const tally = new StationTally();
  const stationBoards = new StationBoards({
    recipe,
    flags,
    session: records.session,
    start: records.start,
    policy: records.policy,
    log,
    station,
    firmwareSha256: records.firmwareSha256,
    tally,
  });
  const stop = new StopRequest();
  installStationStop(stop, {
    stopping: () => note("stopping after this board (Ctrl-C again to quit now)"),
    inProgress: stationBoards.inProgress,
  });
  try {
    if (json) {
      json.emit(stationStartEvent(records, recipe, source.description));
    } else if (!quiet) {
      console.out(`station ${station}: ${recipe.header.name} on ${source.description}`);
      console.out(recordsLine(records));
      console.out("Ctrl-C stops after the current board");
    }
    if (oneRound) note("simulating one board (--boards N for more)");
    while (tally.total < limit && !stop.requested) {
      const connector = await source.next(stop.signal);
      if (!connector) break;
      const board = tally.total + 1;
      const events = json?.with({ board });
      const done = await stationBoards.run({
        connector,
        notify: note,
        stop: stop.signal,
        reporter: () => {
          if (!json && verbose) console.out(colour.bold(`--- board ${board} ---`));
          // The technician's view by default (one line per board), the engineer's with -v or --json.
          screen = events || verbose
            ? chooseReporter(console, { json: events, file: recipe.file, version: VERSION })
            : quiet
            ? SILENT_REPORTER
            : new StationBoardReporter(console, { board, colour });
          return screen;
        },
        runEnded: () => screen = undefined,
        ask: askOnTerminal,
      });
      if (!done) break;
      const { result, record, stored, storeFailure } = done;
      if (events) {
        events.emit({ event: "board-end", record: { ...record }, recordId: stored?.id });
      } else {
        const who = result.identity ? describeIdentity(result.identity) : "no chip";
        const error = result.error ? ` — error[${result.error.code}] ${result.error.userMessage()}` : "";
        const serial = result.serialNumber === undefined ? "" : `, serial number ${result.serialNumber}`;
        const unchecked = result.ok && result.unverified ? ` — ${result.unverified}` : "";
        const detail = `board ${board}: ${who}${serial}, ${formatDuration(result.durationMs)}${error}${unchecked}`;
        for (const line of resultBanner(record.result, detail, { large: !quiet && !!console.terminal, colour })) {
          console.out(line);
        }
        if (!quiet) console.out(formatTally(tally, colour));
      }
      // The store failed after the board was flashed: the board is in the log and its row stays IN_PROGRESS (marked
      // INTERRUPTED when this station starts again); the station stops before another board.
      if (storeFailure) throw storeFailure.error;
    }
  } finally {
    stop.uninstall();
    await records.close();
  }
  return reportStationEnd(console, json, { station, tally, colour, logPath: log.path });
}
