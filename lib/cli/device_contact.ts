/**
 * Whether this command has sent anything to a device yet. Every board link goes through
 * {@linkcode createConnector}, which records the first contact here, so that the command line can tell an error
 * found before any contact (exit 2: nothing was sent) from one after it (exit 1), whatever the error's kind.
 *
 * One CLI invocation at a time per process: {@linkcode main} starts each with {@linkcode resetDeviceContact}.
 *
 * @module
 */

let contacted = false;

/** Records that a device link was opened or a device was sent something. */
export function markDeviceContact(): void {
  contacted = true;
}

/** Whether a device was contacted since the last {@linkcode resetDeviceContact}. */
export function deviceContacted(): boolean {
  return contacted;
}

/** Forgets earlier contact (at the start of a command). */
export function resetDeviceContact(): void {
  contacted = false;
}
