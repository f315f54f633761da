/**
 * The four path functions recipes need — `dirname`, `isAbsolute`, `join`, `resolve` — with `node:path`'s results.
 *
 * Why not `node:path` itself: importing it and its first `resolve` (which loads Deno's `process`) cost ~10 ms of
 * `flashrecipe run`'s start-up. On POSIX systems these short functions give the same strings as `node:path`
 * (`paths_test.ts` compares them over every short path); on Windows, whose drive letters, UNC roots and
 * per-drive working directories they do not model, `node:path` is loaded and used instead.
 *
 * @module
 */

/** `node:path`'s functions, loaded only on Windows. */
const windows = Deno.build.os === "windows" ? await import("node:path") : undefined;

/**
 * The segments of `path` with `.` and empty segments dropped and each `..` taking away the segment before it; a `..`
 * with nothing before it is kept when `aboveRoot` (a relative path may climb out), dropped otherwise (`/..` is `/`).
 */
function normalSegments(path: string, aboveRoot: boolean): string {
  const kept: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") kept.push(segment);
    else if (kept.length > 0 && kept[kept.length - 1] !== "..") kept.pop();
    else if (aboveRoot) kept.push("..");
  }
  return kept.join("/");
}

/** `path` without `.` segments, `..` resolved where it can be, and repeated slashes; a trailing slash is kept. */
function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const trailing = path.endsWith("/");
  const body = normalSegments(path, !absolute);
  if (body === "") return absolute ? "/" : trailing ? "./" : ".";
  return (absolute ? "/" : "") + body + (trailing ? "/" : "");
}

/** Whether `path` is absolute (as `node:path` `isAbsolute`). */
export function isAbsolute(path: string): boolean {
  if (windows) return windows.isAbsolute(path);
  return path.startsWith("/");
}

/** The directory part of `path`, trailing slashes ignored (as `node:path` `dirname`). */
export function dirname(path: string): string {
  if (windows) return windows.dirname(path);
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  // The last slash that follows something other than a slash, trailing slashes skipped; index 0 is the root.
  let end = path.length - 1;
  while (end > 0 && path[end] === "/") end--;
  while (end > 0 && path[end] !== "/") end--;
  if (end === 0) return rooted ? "/" : ".";
  // `node:path` keeps a doubled root (`//a` -> `//`) and slashes repeated before the last segment (`a//b` -> `a/`).
  if (end === 1 && rooted) return "//";
  return path.slice(0, end);
}

/** The non-empty `parts` joined with `/` and normalized (as `node:path` `join`). */
export function join(...parts: string[]): string {
  if (windows) return windows.join(...parts);
  const joined = parts.filter((part) => part !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/**
 * The absolute, normalized path that `parts` lead to from the working directory, without a trailing slash (as
 * `node:path` `resolve`).
 */
export function resolve(...parts: string[]): string {
  if (windows) return windows.resolve(...parts);
  let path = "";
  for (let i = parts.length - 1; i >= -1 && !path.startsWith("/"); i--) {
    const part = i >= 0 ? parts[i] : Deno.cwd();
    if (part !== "") path = path === "" ? part : `${part}/${path}`;
  }
  return `/${normalSegments(path, false)}`;
}
