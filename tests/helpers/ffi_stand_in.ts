/**
 * Stand-in C libraries for FFI signature tests: given a `Deno.dlopen` declaration object (the production one),
 * writes a C file exporting a function of the same name and the same C parameter types for every symbol,
 * compiles it with gcc into a temporary directory and opens it. Each call is logged (function and every
 * argument widened to 64 bits as C received it) and returns a per-function result the test chooses.
 *
 * This is how kernel32, libusb and macOS signatures are exercised on Linux: Deno checks and converts the
 * arguments exactly as it would for the real library (a negative number for a `u32`, a fraction, an `i32`
 * overflow or a `number` where a `bigint` is needed all throw before the call), and the log shows what the C
 * side received.
 *
 * @module
 */

/** C type for each Deno FFI native type. */
const C_TYPES: Readonly<Record<string, string>> = {
  void: "void",
  bool: "_Bool",
  u8: "uint8_t",
  i8: "int8_t",
  u16: "uint16_t",
  i16: "int16_t",
  u32: "uint32_t",
  i32: "int32_t",
  u64: "uint64_t",
  i64: "int64_t",
  usize: "size_t",
  isize: "intptr_t",
  f32: "float",
  f64: "double",
  pointer: "void *",
  buffer: "void *",
  function: "void *",
};

/** Most arguments one logged call keeps. */
const MAX_ARGUMENTS = 10;
/** Most calls the log keeps (later calls are counted but not kept). */
const MAX_CALLS = 4096;

const CONTROL = {
  fr_count: { parameters: [], result: "i32" },
  fr_id: { parameters: ["i32"], result: "i32" },
  fr_value: { parameters: ["i32", "i32"], result: "u64" },
  fr_arity: { parameters: ["i32"], result: "i32" },
  fr_clear: { parameters: [], result: "void" },
  fr_set_result: { parameters: ["i32", "i64"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** One logged call. */
export interface LoggedCall {
  /** The C function called. */
  name: string;
  /** Its arguments as C received them, widened to 64 bits (signed ones sign-extended, pointers as addresses). */
  args: bigint[];
}

/** A compiled, opened stand-in library. */
export interface StandIn {
  /** Path of the shared library, to pass to `Deno.dlopen` (or to production code that opens a library path). */
  readonly path: string;
  /** The C function names, in id order. */
  readonly names: readonly string[];
  /** Calls since the last {@linkcode StandIn.clear}. */
  calls(): LoggedCall[];
  /** Forgets the logged calls. */
  clear(): void;
  /** What the C function `name` returns from now on (cast to its result type; -1 as a pointer is all ones). */
  setResult(name: string, value: bigint | number): void;
  /** Closes the library and removes the temporary directory. */
  close(): void;
}

/**
 * The C function name and declaration of every symbol, one entry per C name. Two symbols bound to the same C
 * function (`poll` and `pollAsync`) must declare the same parameter and result types; otherwise this throws.
 */
export function cFunctions(
  declarations: Deno.ForeignLibraryInterface,
): Map<string, { parameters: readonly string[]; result: string }> {
  const functions = new Map<string, { parameters: readonly string[]; result: string }>();
  for (const [key, declaration] of Object.entries(declarations)) {
    if (!("parameters" in declaration)) throw new Error(`${key} is not a function declaration`);
    const name = typeof declaration.name === "string" ? declaration.name : key;
    const parameters = declaration.parameters.map((type) => typeName(type, key));
    const result = typeName(declaration.result, key);
    const seen = functions.get(name);
    if (seen && (seen.result !== result || seen.parameters.join() !== parameters.join())) {
      throw new Error(`${key} binds ${name} with other types than another symbol does`);
    }
    functions.set(name, { parameters, result });
  }
  return functions;
}

function typeName(type: Deno.NativeResultType | Deno.NativeType, symbol: string): string {
  if (typeof type !== "string" || !(type in C_TYPES)) {
    throw new Error(`${symbol}: the stand-in generator does not know the type ${JSON.stringify(type)}`);
  }
  return type;
}

function widen(type: string, variable: string): string {
  if (type === "pointer" || type === "buffer" || type === "function") return `(uint64_t)(uintptr_t)${variable}`;
  if (type === "f32" || type === "f64") return `(uint64_t)(int64_t)${variable}`;
  if (type.startsWith("i") || type === "isize") return `(uint64_t)(int64_t)${variable}`;
  return `(uint64_t)${variable}`;
}

function cast(type: string, expression: string): string {
  if (type === "pointer" || type === "buffer" || type === "function") return `(void *)(intptr_t)${expression}`;
  return `(${C_TYPES[type]})${expression}`;
}

/**
 * The C source of a stand-in. For every function `f` it defines `fr_rec_f` (log the call, return the chosen
 * result) and, unless `overrides` names it, `f` itself calling `fr_rec_f`. An override is hand-written C (in
 * `extraSource`) that calls `fr_rec_f` and then acts, e.g. fills an out-parameter.
 */
export function standInSource(
  declarations: Deno.ForeignLibraryInterface,
  extraSource = "",
  overrides: readonly string[] = [],
): { source: string; names: string[] } {
  const functions = cFunctions(declarations);
  const names = [...functions.keys()];
  const lines = [
    "#include <stdint.h>",
    "#include <stddef.h>",
    "#include <string.h>",
    `static int32_t fr_ids[${MAX_CALLS}];`,
    `static int32_t fr_arities[${MAX_CALLS}];`,
    `static uint64_t fr_values[${MAX_CALLS}][${MAX_ARGUMENTS}];`,
    "static int32_t fr_calls;",
    `static int64_t fr_results[${names.length}];`,
    "int32_t fr_count(void) { return fr_calls; }",
    `int32_t fr_id(int32_t i) { return i < ${MAX_CALLS} ? fr_ids[i] : -1; }`,
    `int32_t fr_arity(int32_t i) { return i < ${MAX_CALLS} ? fr_arities[i] : -1; }`,
    `uint64_t fr_value(int32_t i, int32_t j) { return i < ${MAX_CALLS} ? fr_values[i][j] : 0; }`,
    "void fr_clear(void) { fr_calls = 0; }",
    `void fr_set_result(int32_t id, int64_t value) { if (id >= 0 && id < ${names.length}) fr_results[id] = value; }`,
    "static int32_t fr_begin(int32_t id, int32_t arity) {",
    `  int32_t slot = fr_calls++;`,
    `  if (slot < ${MAX_CALLS}) { fr_ids[slot] = id; fr_arities[slot] = arity; }`,
    "  return slot;",
    "}",
    `#define FR_ARG(slot, j, value) do { if ((slot) < ${MAX_CALLS}) fr_values[slot][j] = (value); } while (0)`,
  ];
  names.forEach((name, id) => {
    const { parameters, result } = functions.get(name)!;
    if (parameters.length > MAX_ARGUMENTS) throw new Error(`${name}: more than ${MAX_ARGUMENTS} parameters`);
    const formal = parameters.length === 0 ? "void" : parameters.map((type, i) => `${C_TYPES[type]} a${i}`).join(", ");
    const resultType = C_TYPES[result];
    lines.push(`${resultType} fr_rec_${name}(${formal}) {`);
    lines.push(`  int32_t slot = fr_begin(${id}, ${parameters.length});`);
    parameters.forEach((type, i) => lines.push(`  FR_ARG(slot, ${i}, ${widen(type, `a${i}`)});`));
    lines.push(result === "void" ? "  (void)slot;" : `  (void)slot; return ${cast(result, `fr_results[${id}]`)};`);
    lines.push("}");
    if (overrides.includes(name)) return;
    const actual = parameters.map((_, i) => `a${i}`).join(", ");
    lines.push(`${resultType} ${name}(${formal}) { ${result === "void" ? "" : "return "}fr_rec_${name}(${actual}); }`);
  });
  lines.push(extraSource);
  return { source: lines.join("\n") + "\n", names };
}

/** True when gcc can be run. */
export async function haveGcc(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("gcc", { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return success;
  } catch {
    return false;
  }
}

/** Compiles and opens a stand-in for `declarations` (see {@linkcode standInSource}). */
export async function buildStandIn(
  declarations: Deno.ForeignLibraryInterface,
  options: { extraSource?: string; overrides?: readonly string[] } = {},
): Promise<StandIn> {
  const { source, names } = standInSource(declarations, options.extraSource, options.overrides);
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-ffi-" });
  const cFile = `${dir}/stand_in.c`;
  const path = `${dir}/libstand_in.so`;
  await Deno.writeTextFile(cFile, source);
  // -fno-builtin: the stand-in defines open, read, write, poll... with its own bodies.
  const compiled = await new Deno.Command("gcc", {
    args: [
      "-shared",
      "-fPIC",
      "-fno-builtin",
      "-O0",
      "-Wall",
      "-Werror",
      "-Wno-builtin-declaration-mismatch",
      "-o",
      path,
      cFile,
    ],
  }).output();
  if (!compiled.success) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(`gcc failed on the stand-in:\n${new TextDecoder().decode(compiled.stderr)}`);
  }
  const control = Deno.dlopen(path, CONTROL);
  const c = control.symbols;
  return {
    path,
    names,
    calls() {
      const out: LoggedCall[] = [];
      const count = Math.min(c.fr_count(), MAX_CALLS);
      for (let i = 0; i < count; i++) {
        const args: bigint[] = [];
        for (let j = 0; j < c.fr_arity(i); j++) args.push(BigInt(c.fr_value(i, j)));
        out.push({ name: names[c.fr_id(i)], args });
      }
      return out;
    },
    clear: () => c.fr_clear(),
    setResult(name, value) {
      const id = names.indexOf(name);
      if (id < 0) throw new Error(`the stand-in has no function ${name}`);
      c.fr_set_result(id, BigInt(value));
    },
    close() {
      control.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
