/**
 * `write FILE [--address ADDR]`: program a firmware file — erase exactly the pages it needs, write, verify.
 *
 * @module
 */

import { parseAddress } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { LINK_OPTIONS, openLink, parseLinkArgs } from "../link_options.ts";
import { formatAddress } from "../../chips/format.ts";
import { FLASH_BASE } from "../../chips/families/common.ts";
import { InputError } from "../../errors.ts";
import { loadImageFile } from "../../image/load.ts";
import { programImage } from "../../flash/program.ts";

/** The `write` command. */
export const writeCommand: CommandSpec = {
  name: "write",
  summary: "program a firmware file: erase the pages it needs, write, verify",
  usage: "write FILE [--address ADDR] (--port PATH | --usb VID:PID | --simulate CHIP)",
  description: "FILE is .hex, .srec, .elf, .dfu or .bin; a .bin is loaded at --address (default 0x08000000).",
  options: [
    { name: "address", type: "string", valueName: "ADDR", description: "load address of a .bin (default 0x08000000)" },
    ...LINK_OPTIONS,
  ],
  examples: [
    ["write firmware.hex --port /dev/ttyUSB0", "flash a board"],
    ["write app.bin --address 0x08004000 --port COM3", "a raw binary after a 16 KiB bootloader"],
  ],
  async run(args, console) {
    if (args.positionals.length !== 1) {
      throw new InputError("E_USAGE", "write takes exactly one firmware file", { hint: "flashrecipe write FILE" });
    }
    const [file] = args.positionals;
    const addressText = args.options.address as string | undefined;
    const baseAddress = addressText === undefined ? FLASH_BASE : parseAddress(addressText, "--address");
    const linkArgs = parseLinkArgs(args, "write");
    // The whole file is parsed before the device is touched.
    const image = await loadImageFile(file, { baseAddress });
    const link = await openLink(linkArgs, console);
    try {
      const report = await programImage(link.target, image);
      console.out(`erased ${report.pagesErased} page(s), ${report.bytesErased} bytes`);
      if (report.pagesBlank > 0) {
        console.out(`${report.pagesBlank} page(s) were blank: programmed without erasing, proven by the verify`);
      }
      if (report.pagesUnchanged > 0) {
        console.out(`${report.pagesUnchanged} page(s) already held the image: neither erased nor written`);
      }
      console.out(`wrote ${report.bytesWritten} bytes from ${formatAddress(image.start)}`);
      console.out(`verified ${image.size} bytes by ${report.verifiedBy}`);
      if (report.retries > 0) console.out(`recovered from ${report.retries} link fault(s): pages checked, rewritten`);
      return 0;
    } finally {
      await link.close();
    }
  },
};
