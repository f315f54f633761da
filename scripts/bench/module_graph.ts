/**
 * The modules a file loads when it is run, from `deno info --json`: every import followed except dynamic ones
 * (`await import(...)`, loaded only when that code runs) and type-only ones (erased; `deno info` lists them under
 * `type`, not `code`). This is what start-up pays for before the first line of a command runs.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** One dependency of a module as `deno info --json` describes it. */
interface InfoDependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

/** The part of `deno info --json` read here. */
interface InfoJson {
  roots: string[];
  modules: { specifier: string; dependencies?: InfoDependency[] }[];
}

/**
 * Returns the modules loaded at start-up by `entries` (paths relative to the repository root), together, as paths
 * relative to the repository root for local files (`lib/cli/main.ts`) and specifiers otherwise (`npm:yaml@2.9.1`).
 */
export async function startupModules(...entries: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const entry of entries) {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!result.success) {
      throw new Error(`deno info ${entry} failed: ${new TextDecoder().decode(result.stderr)}`);
    }
    const info = JSON.parse(new TextDecoder().decode(result.stdout)) as InfoJson;
    const modules = new Map(info.modules.map((m) => [m.specifier, m]));
    const pending = [...info.roots];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const specifier = pending.pop()!;
      if (seen.has(specifier)) continue;
      seen.add(specifier);
      for (const dependency of modules.get(specifier)?.dependencies ?? []) {
        if (dependency.code && !dependency.isDynamic) pending.push(dependency.code.specifier);
      }
    }
    for (const specifier of seen) found.add(specifier.replace(ROOT.href, ""));
  }
  return found;
}
