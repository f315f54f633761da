/**
 * Noticing the first contact with a board: the same {@linkcode BoardAccess}, calling `onContact` before a link is
 * opened, a bootloader is synced with or a serial port of the board is opened. Waiting for a USB device to appear
 * only watches the bus, so it is not contact.
 *
 * Exit 2 promises that nothing was sent to a device; the runner and the CLI use this record to keep that promise
 * for errors raised after contact (they become exit 1, lib/errors.ts `afterDeviceContact`).
 *
 * @module
 */

import type { BoardAccess, ConnectRequest, SerialPortRequest } from "./step.ts";

/**
 * `board`, calling `onContact` first on every contact. The result inherits from `board`, so whatever else the
 * particular board offers (a connector's `close`, a DFU connector's `simulation`) stays reachable.
 */
export function withContactRecord<B extends BoardAccess>(board: B, onContact: () => void): B {
  const recorded: B = Object.create(board);
  const { openSerialPort } = board;
  Object.assign(recorded, {
    link(baud: number) {
      onContact();
      return board.link(baud);
    },
    connect(request: ConnectRequest) {
      onContact();
      return board.connect(request);
    },
    openSerialPort: openSerialPort && ((request: SerialPortRequest) => {
      onContact();
      return openSerialPort.call(board, request);
    }),
  });
  return recorded;
}
