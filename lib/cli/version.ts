/**
 * The program's version, from deno.json (embedded by the import, so compiled binaries carry it).
 *
 * @module
 */

import denoConfig from "../../deno.json" with { type: "json" };

/** The program's version. */
export const VERSION: string = denoConfig.version;
