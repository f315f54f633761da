/**
 * `run RECIPE`: validate a recipe and every file it names, then run it against a board or a simulated one.
 *
 * @module
 */

import { saveTrace } from "../debug_trace.ts";
import type { ParsedArgs } from "../args.ts";
import type { CommandSpec, Console } from "../command.ts";
import { createConnector } from "../connector.ts";
import { simulatedDfuNames } from "../dfu_connector.ts";
import { JsonEventWriter } from "../json_reporter.ts";
import { chooseReporter } from "../reporters.ts";
import { VERSION } from "../version.ts";
import { runRecipe } from "../../recipe/runner.ts";
import { SIMULATED_PART_NAMES } from "../../sim/part_names.ts";
import { askOnTerminal } from "../prompt.ts";
import { RUN_FLAG_OPTIONS } from "../run_flags.ts";
import { prepareRun } from "../run_setup.ts";
import { DB_ENV, DEFAULT_DB, interruptedWarning, RECORD_OPTIONS, storeSpec } from "../production_flags.ts";
import { adviseWait, parseWait, WAIT_OPTION } from "../one_shot.ts";
import { InputError } from "../../errors.ts";
import type { FaultSpec } from "../../sim/faults.ts";

/** The `run` command. */
export const runCommand: CommandSpec = {
  name: "run",
  summary: "run a recipe against a board (or a simulated one)",
  usage: "run RECIPE [--simulate CHIP | --port PATH | --usb VID:PID] [--set NAME=VALUE]...",
  description: "The whole recipe and every file it names are validated before anything is sent to the device.\n" +
    `The board is recorded in the production store when --db or ${DB_ENV} names one, or the recipe draws a\n` +
    `serial number from a counter (then ${DEFAULT_DB}); --simulate uses a throwaway in-memory store.\n` +
    `Simulated chips: ${SIMULATED_PART_NAMES.join(", ")} (USART); ${simulatedDfuNames().join(", ")} (USB DFU).`,
  options: [
    { name: "simulate", type: "string", valueName: "CHIP", description: "run against a simulated chip" },
    { name: "port", type: "string", valueName: "PATH", description: "serial port (overrides target.port)" },
    {
      name: "usb",
      type: "string",
      valueName: "VID:PID",
      description: "USB DFU device: vid:pid, bus-port path or serial (overrides target.usb; default 0483:df11)",
    },
    { name: "baud", type: "string", valueName: "RATE", description: "serial baud rate (overrides target.baud)" },
    WAIT_OPTION,
    {
      name: "fault",
      type: "string",
      multiple: true,
      valueName: "SPEC",
      description: "with --simulate: the simulated chip commits a fault, KIND[@POINT][:key=value,...] " +
        "(lib/sim/faults.ts; DFU points in lib/sim/dfuse/faults.ts), as `sim usart --fault`",
    },
    {
      name: "set",
      type: "string",
      multiple: true,
      valueName: "NAME=VALUE",
      description: "set a recipe variable (a file path is the current folder's)",
    },
    ...RECORD_OPTIONS,
    { name: "station", type: "string", valueName: "NAME", description: "station name in the record (host name-run)" },
    ...RUN_FLAG_OPTIONS,
    { name: "json", type: "boolean", description: "print JSON Lines events on stdout (docs/events.md)" },
    { name: "quiet", short: "q", type: "boolean", description: "print only errors and the result line" },
  ],
  examples: [
    ["run recipes/demo.yaml --simulate stm32f103c8", "dry run against the simulated Blue Pill"],
    ["run bluepill.yaml --port /dev/ttyUSB0", "flash a board on a USB-serial adapter"],
    ["run prod.yaml --port COM3 --set serial=1001", "set a variable the recipe uses"],
    ["run recipes/feather-f405-dfu.yaml --usb 0483:df11", "flash over USB DFU"],
    ["run prod.yaml --port /dev/ttyUSB0 --json", "events for test-station software, one JSON object a line"],
    [
      "run recipes/feather-f405-dfu.yaml --simulate stm32f405rg --fault skip-write@write:occurrence=2",
      "rehearse a fault: the simulated chip skips a block",
    ],
  ],
  run(args, console) {
    const json = args.options.json ? new JsonEventWriter(console) : undefined;
    return runRun(args, console, json);
  },
};

async function runRun(args: ParsedArgs, console: Console, json: JsonEventWriter | undefined): Promise<number> {
  const { recipe, flags, link, warn } = await prepareRun(args, console, json, "run");
  const simulate = link.simulate !== undefined;
  const faults = await simulatedFaults(args, simulate);
  const spec = storeSpec(args, { simulate, fallback: recipe.counters.length > 0 ? DEFAULT_DB : undefined });
  const recorded = spec !== undefined || (simulate && recipe.counters.length > 0);
  // The production layer is loaded only when the board is recorded.
  const production = recorded ? await import("../run_recording.ts") : undefined;
  const recording = production ? await production.beginRunRecording(args, recipe, spec) : undefined;
  for (const board of recording?.recovered ?? []) warn(interruptedWarning(board));
  const reporter = chooseReporter(console, {
    json,
    quiet: args.options.quiet === true,
    file: recipe.file,
    version: VERSION,
  });
  // Warnings from the link go through the reporter, which clears a progress bar before printing them.
  const linkWarn = reporter.warning ? (message: string) => reporter.warning!(message) : link.warn;
  const connector = createConnector({ ...link, warn: linkWarn, faults });
  const waitMs = parseWait(args);
  let result;
  try {
    result = await runRecipe(recipe, {
      saveTrace,
      // --wait: every connect may wait that long for a USB DFU bootloader to enumerate; without it, a missing
      // device is answered with the advice to wait.
      board: {
        link: (baud) => connector.link(baud),
        connect: async (request) => {
          try {
            return await connector.connect({ ...request, waitMs: request.waitMs ?? waitMs });
          } catch (error) {
            throw adviseWait(error, waitMs);
          }
        },
        openSerialPort: connector.openSerialPort?.bind(connector),
        waitUsb: connector.waitUsb?.bind(connector),
      },
      reporter: recording ? recording.board.observe(reporter) : reporter,
      flags,
      ask: askOnTerminal,
      serials: recording?.board.serials,
    });
  } finally {
    await connector.close();
    if (recording && !result) await recording.close();
  }
  if (recording) {
    try {
      await recording.board.finish(result);
    } finally {
      await recording.close();
    }
  }
  return result.ok ? 0 : result.error?.exitCode ?? 1;
}

/**
 * `--fault SPEC`s: only a simulated chip can be told to commit faults. The fault module loads only then: a
 * serial-port run loads no simulator code (tests/cli/startup_modules_test.ts).
 */
async function simulatedFaults(args: ParsedArgs, simulate: boolean): Promise<FaultSpec[] | undefined> {
  const texts = args.options.fault as string[] | string | undefined;
  if (texts === undefined) return undefined;
  if (!simulate) {
    throw new InputError(
      "E_USAGE",
      "--fault needs --simulate CHIP: only a simulated chip can be told to commit faults",
      {
        hint: "add --simulate CHIP, or drop --fault",
      },
    );
  }
  const { parseFaultSpec } = await import("../../sim/faults.ts");
  return (Array.isArray(texts) ? texts : [texts]).map((text) => parseFaultSpec(text));
}
