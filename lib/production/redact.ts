/**
 * Keeps database passwords out of everything the tool prints or stores: a store's location is shown without its
 * password, and any message from a database client is cleaned of the password before it reaches a user.
 *
 * @module
 */

/** Whether `spec` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** The password in a PostgreSQL URL (user-info part or `password=` query parameter), if any. */
export function passwordOf(url: string): string | undefined {
  const userInfo = /^[a-z]+:\/\/([^@/?#]*)@/i.exec(url)?.[1];
  const colon = userInfo?.indexOf(":") ?? -1;
  if (userInfo !== undefined && colon >= 0) return decodeSafely(userInfo.slice(colon + 1));
  const query = /[?&]password=([^&#]*)/i.exec(url)?.[1];
  return query === undefined ? undefined : decodeSafely(query);
}

/** `url` with the password replaced by `***`: `postgres://flash:***@db1/line`. */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z]+:\/\/[^:@/?#]*):[^@/?#]*@/i, "$1:***@")
    .replace(/([?&]password=)[^&#]*/gi, "$1***");
}

/** `text` with every occurrence of each secret (raw and URL-encoded) replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.replaceAll(form, "***");
  }
  // A URL with a password the caller did not know about (e.g. one quoted by a driver) loses it too.
  return out.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*):[^@/\s]*@/gi, "$1:***@");
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
