/**
 * What people type out of habit from the tools flashrecipe replaces — stm32flash, dfu-util, esptool, STM32CubeProgrammer
 * — answered with the flashrecipe way to say it. Only the mapping lives here; the parser and the dispatcher ask.
 * The options and commands named are those documented in each tool's manual page or `--help`.
 *
 * @module
 */

/** A command word from another tool and what to type instead. */
const COMMAND_HABITS: Readonly<Record<string, string>> = {
  flash: "'flashrecipe write FILE --port PATH'",
  program: "'flashrecipe write FILE --port PATH'",
  download: "'flashrecipe write FILE --port PATH' (or --usb VID:PID)",
  burn: "'flashrecipe write FILE --port PATH'",
  write_flash: "'flashrecipe write FILE --port PATH'", // esptool
  upload: "'flashrecipe read --output FILE --port PATH' (dfu-util's upload reads the device)",
  dump: "'flashrecipe read --output FILE --port PATH'",
  backup: "'flashrecipe read --output FILE --port PATH'",
  read_flash: "'flashrecipe read --output FILE --port PATH'", // esptool
  erase_flash: "'flashrecipe erase all --port PATH'", // esptool
  "mass-erase": "'flashrecipe erase all --port PATH'",
  mass_erase: "'flashrecipe erase all --port PATH'",
  unlock: "'flashrecipe unprotect read --port PATH' (a mass erase)",
  lock: "'flashrecipe protect read --port PATH'",
  list:
    "'flashrecipe ports' (serial ports), 'flashrecipe usb' (USB DFU devices) or 'flashrecipe chips' (supported parts)",
  ls:
    "'flashrecipe ports' (serial ports), 'flashrecipe usb' (USB DFU devices) or 'flashrecipe chips' (supported parts)",
  devices: "'flashrecipe ports' (serial ports) or 'flashrecipe usb' (USB DFU devices)",
  jump: "'flashrecipe go --port PATH'",
  start: "'flashrecipe go --port PATH'",
  run_app: "'flashrecipe go --port PATH'",
  chip_id: "'flashrecipe info --port PATH'", // esptool
  id: "'flashrecipe info --port PATH'",
  version: "'flashrecipe --version'",
  verify: "'flashrecipe write' (it verifies what it wrote); a recipe has a verify step",
};

/** What to type instead of a command word from another tool, e.g. `flash` → `'flashrecipe write FILE --port PATH'`. */
export function commandHabit(name: string): string | undefined {
  return Object.hasOwn(COMMAND_HABITS, name) ? COMMAND_HABITS[name] : undefined;
}

/** How an option from another tool is said here; `value` is the argument after it, when there is one. */
type OptionHabit = (value: string | undefined, command: string) => string;

const v = (value: string | undefined, placeholder: string) =>
  value !== undefined && !value.startsWith("-") ? value : placeholder;

const OPTION_HABITS: Readonly<Record<string, OptionHabit>> = {
  // stm32flash(1)
  "-b": (value) => `--baud ${v(value, "RATE")}`,
  "-w": (value) => `flashrecipe write ${v(value, "FILE")} --port PATH`,
  "-r": (value) => `flashrecipe read --output ${v(value, "FILE")} --port PATH`,
  "-v": () => "nothing: write always verifies what it wrote",
  "-g": (value) => `--go (after a write), or flashrecipe go --address ${v(value, "ADDR")} --port PATH`,
  "-S": (value) => {
    const [address, length] = v(value, "ADDR:LEN").split(":");
    return `--address ${address}${length ? ` --length ${length}` : ""}`;
  },
  "-e": (value) => `flashrecipe erase --pages 0-${v(value, "N")} --port PATH`,
  "-o": () => "flashrecipe erase all --port PATH",
  "-k": () => "flashrecipe unprotect read --port PATH (a mass erase)",
  "-j": () => "flashrecipe protect read --port PATH",
  "-u": () => "flashrecipe unprotect write --port PATH",
  "-R": () => "--after reset with --wiring PRESET",
  "-i": () => "--wiring PRESET (dtr-reset, rts-reset, dtr-reset-rts-boot0, rts-reset-dtr-boot0)",
  "-m": () => "nothing: the bootloader's 8E1 framing is always used",
  // dfu-util(1)
  "-D": (value) => `flashrecipe write ${v(value, "FILE")} --usb 0483:df11`,
  "-U": (value) => `flashrecipe read --output ${v(value, "FILE")} --usb 0483:df11`,
  "-d": (value) => `--usb ${v(value, "VID:PID")}`,
  "-a": () => "nothing: the DfuSe alternate setting for internal flash is chosen from the device's descriptors",
  "-s": (value) => {
    const [address, modifier] = v(value, "ADDR").split(":");
    return `--address ${address}${modifier === "leave" ? " --go" : ""}`;
  },
  "-l": () => "flashrecipe usb (or flashrecipe ports for serial)",
  "--list": () => "flashrecipe usb (or flashrecipe ports for serial)",
  "--wait": () => "--wait SECONDS on the DFU commands (e.g. --wait 10s)",
  "-E": () => "--wait SECONDS",
  // esptool
  "-p": (value) => `--port ${v(value, "PATH")}`,
  "-c": () => "nothing: the chip is identified by its bootloader (give --simulate CHIP to simulate one)",
  "--chip": () => "nothing: the chip is identified by its bootloader (give --simulate CHIP to simulate one)",
  "--device": (value) => `--port ${v(value, "PATH")} (serial) or --usb ${v(value, "VID:PID")} (DFU)`,
  "--speed": (value) => `--baud ${v(value, "RATE")}`,
};

/** The flashrecipe way to say `option` (with the argument after it, if any), or `undefined`. */
export function optionHabit(option: string, next: string | undefined, command: string): string | undefined {
  const habit = Object.hasOwn(OPTION_HABITS, option) ? OPTION_HABITS[option] : undefined;
  return habit?.(next, command);
}

/** True for what reads as a serial port path: `/dev/ttyUSB0`, `/dev/cu.usbserial-1410`, `COM3`. */
export function looksLikePort(text: string): boolean {
  return /^\/dev\/(tty|cu\.|serial\/)\S*$/.test(text) || /^(\\\\\.\\)?COM\d+$/i.test(text);
}
