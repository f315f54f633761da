/**
 * Step order, checked over the whole recipe before the run: each step's {@linkcode StepFlow} says what it needs (a
 * connected chip, images written before it, flash that read protection does not hide) and what it changes (opens
 * or ends the connection, turns read protection on or off, writes). Walking the steps with those facts finds, at
 * the step's own position, what would otherwise fail on the device after earlier steps had erased and written:
 * a `write` after `jump`, a `verify` with nothing written, a `read` after `protect: { read: true }`.
 *
 * A step with `when:` may or may not run, so after it each fact is "maybe": a step that needs a connection after
 * a conditional `jump` is refused too, because on the boards where the jump runs the flash would be left half
 * done.
 *
 * @module
 */

import { formatLocation, type SourceLocation } from "../errors.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { RecipeError } from "./errors.ts";
import { hex32 } from "./params.ts";
import type { StepFlow } from "./step.ts";

/** One step as the order check sees it. */
export interface OrderedStep {
  /** Step type name, e.g. `write`. */
  type: string;
  /** What it needs and ends. */
  flow: StepFlow;
  /** Where its name is in the recipe. */
  location: SourceLocation;
  /** Its `when:` text, when it runs only sometimes. */
  when?: string;
}

/** Whether a fact holds on every board, on none, or only on some (after a step with `when:`). */
type Tri = "yes" | "no" | "maybe";

interface Fact {
  state: Tri;
  /** The step that last changed it, for messages. */
  by?: OrderedStep;
}

/** The state the walk starts in. */
export interface OrderStart {
  /** The recipe's `target.transport`. */
  transport: "usart" | "dfu";
  /** Whether a connection is open before the first step (the `on-failure` steps may find one). */
  connected: Tri;
  /** Whether images were written before the first step. */
  written: Tri;
}

/** Walks `steps` in order and returns one error per step whose needs are not met. */
export function checkStepOrder(steps: readonly OrderedStep[], start: OrderStart): RecipeError[] {
  const errors: RecipeError[] = [];
  let connected: Fact = { state: start.connected };
  let written: Fact = { state: start.written };
  let protectedFlash: Fact = { state: "no" };
  for (const step of steps) {
    const { flow } = step;
    if (flow.transport !== undefined && flow.transport !== start.transport) {
      errors.push(
        new RecipeError(
          `'${step.type}' works only over ${flow.transport}, and this recipe's target.transport is ${start.transport}`,
          step.location,
          flow.transport === "dfu" ? "set target.transport: dfu" : "use a recipe for the other transport",
          "E_RECIPE_ORDER",
        ),
      );
    }
    if (flow.needsTarget && connected.state !== "yes") errors.push(notConnected(step, connected));
    else if (flow.accessesFlash && protectedFlash.state !== "no") errors.push(flashHidden(step, protectedFlash));
    if (flow.needsWritten && written.state === "no") {
      errors.push(
        new RecipeError(
          `'${step.type}' has nothing to check: no 'write' comes before it`,
          step.location,
          `put '${step.type}' after the 'write' steps whose images it should check`,
          "E_RECIPE_ORDER",
        ),
      );
    }
    const after = (fact: Fact, state: Tri | undefined): Fact => {
      if (state === undefined) return fact;
      const changed = { state, by: step };
      if (step.when === undefined) return changed;
      return fact.state === state ? fact : { state: "maybe", by: step };
    };
    connected = after(connected, flow.connects ? "yes" : flow.endsConnection ? "no" : undefined);
    written = after(written, flow.writes ? "yes" : undefined);
    protectedFlash = after(
      protectedFlash,
      flow.readProtection === undefined ? undefined : flow.readProtection ? "yes" : "no",
    );
  }
  return errors;
}

function notConnected(step: OrderedStep, connected: Fact): RecipeError {
  const by = connected.by;
  if (!by || by.flow.connects) {
    // Never connected, or connected only by a step that may not run.
    const may = by ? ` (the '${by.type}' at ${where(by)} runs only when ${by.when})` : "";
    return new RecipeError(
      `'${step.type}' needs a connected chip${may}`,
      step.location,
      "add a 'connect' step before it",
      by ? "E_RECIPE_ORDER" : "E_RECIPE",
    );
  }
  const verb = connected.state === "maybe" ? "may come" : "comes";
  const condition = by.when === undefined ? "" : ` when ${by.when}`;
  return new RecipeError(
    `'${step.type}' ${verb} after '${by.type}' at ${where(by)}${condition}, which ends the connection to the ` +
      `bootloader: it would fail on the device after the steps before it had run`,
    step.location,
    `move it before '${by.type}', or reconnect first ('enter-boot' or 'reset: { into: bootloader }', then 'connect')`,
    "E_RECIPE_ORDER",
  );
}

function flashHidden(step: OrderedStep, protectedFlash: Fact): RecipeError {
  const by = protectedFlash.by!;
  const verb = protectedFlash.state === "maybe" ? "may come" : "comes";
  return new RecipeError(
    `'${step.type}' ${verb} after '${by.type}' at ${where(by)} turns read protection on: the bootloader refuses ` +
      `to read, erase or program flash then`,
    step.location,
    `move it before '${by.type}' (protection is usually the last step)`,
    "E_RECIPE_ORDER",
  );
}

function where(step: OrderedStep): string {
  return `line ${step.location.line ?? "?"}${step.location.file ? ` of ${shortName(step.location.file)}` : ""}`;
}

function shortName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** An image a `write` step plans, for {@linkcode findConflictingWrites}. */
export interface PlannedWrite {
  /** The image. */
  image: MemoryImage;
  /** Where the step's `file:` is. */
  location: SourceLocation;
  /** The file as the recipe names it. */
  file: string;
  /** Its `when:` text, when it runs only sometimes. */
  when?: string;
}

/**
 * Writes that put different bytes at one address. Only writes that always run are compared: writes with `when:`
 * are often alternatives (one firmware per board revision). Sorted once by address, each segment is compared with
 * the one reaching furthest before it: O(n log n) in the number of segments.
 */
export function findConflictingWrites(writes: readonly PlannedWrite[]): RecipeError[] {
  const pieces = writes.filter((w) => w.when === undefined).flatMap((write, order) =>
    write.image.segments.map((segment) => ({ write, order, segment }))
  );
  pieces.sort((a, b) => a.segment.address - b.segment.address || a.order - b.order);
  const errors: RecipeError[] = [];
  const reported = new Set<PlannedWrite>();
  let reach: (typeof pieces)[number] | undefined;
  for (const piece of pieces) {
    const { segment } = piece;
    if (reach && reach.write !== piece.write) {
      const start = segment.address;
      const end = Math.min(segment.address + segment.data.length, reach.segment.address + reach.segment.data.length);
      for (let at = start; at < end; at++) {
        if (segment.data[at - segment.address] === reach.segment.data[at - reach.segment.address]) continue;
        const [first, second] = piece.order > reach.order ? [reach.write, piece.write] : [piece.write, reach.write];
        if (!reported.has(second)) {
          reported.add(second);
          errors.push(
            new RecipeError(
              `'${second.file}' and '${first.file}' (${formatLocation(first.location)}) put different bytes at ` +
                `${hex32(at)}: flash holds only one of them, and verify would fail`,
              second.location,
              "write images that do not overlap, or give the alternatives 'when:' conditions",
              "E_RECIPE_OVERLAP",
            ),
          );
        }
        break;
      }
    }
    const segmentEnd = segment.address + segment.data.length;
    if (!reach || segmentEnd > reach.segment.address + reach.segment.data.length) reach = piece;
  }
  return errors;
}
