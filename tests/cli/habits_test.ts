import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.ts";

/** Each line: the arguments, then what the error must say. */
const CASES: [string[], RegExp][] = [
  [["write", "fw.hex", "-b", "57600"], /unknown option '-b' for 'write': flashrecipe says --baud 57600/],
  [
    ["write", "fw.hex", "/dev/ttyUSB0"],
    /'\/dev\/ttyUSB0' looks like a serial port: give it with --port \(flashrecipe write fw\.hex --port \/dev\/ttyUSB0\)/,
  ],
  [["info", "COM3"], /'COM3' looks like a serial port.*flashrecipe info --port COM3/],
  [["flash", "fw.hex"], /unknown command 'flash': use 'flashrecipe write FILE --port PATH'/],
  [["list"], /'flashrecipe ports'.*'flashrecipe usb'.*'flashrecipe chips'/],
  [["-w", "fw.bin"], /'-w' is not a command: flashrecipe says flashrecipe write fw\.bin --port PATH/],
  [["read", "-r", "out.bin"], /flashrecipe read --output out\.bin --port PATH/],
  [["read", "-U", "out.bin"], /flashrecipe read --output out\.bin --usb 0483:df11/],
  [["write", "-D", "fw.dfu"], /flashrecipe write fw\.dfu --usb 0483:df11/],
  [["write", "fw.hex", "-d", "0483:df11"], /flashrecipe says --usb 0483:df11/],
  [["write", "fw.hex", "-s", "0x08000000:leave"], /flashrecipe says --address 0x08000000 --go/],
  [["write", "fw.hex", "-p", "/dev/ttyUSB0"], /flashrecipe says --port \/dev\/ttyUSB0/],
  [["info", "-k"], /flashrecipe unprotect read --port PATH \(a mass erase\)/],
  [["write", "fw.hex", "-g", "0x0"], /--go \(after a write\), or flashrecipe go --address 0x0/],
  [["erase", "-e", "4"], /flashrecipe erase --pages 0-4/],
  [["erase_flash"], /use 'flashrecipe erase all --port PATH'/],
  [["write", "fw.hex", "--prot", "x"], /unknown option '--prot' for 'write' \(did you mean 'port'\?\)/],
  [["run", "x.yaml", "-x"], /^error\[E_USAGE\]: unknown option '-x' for 'run' \(see/],
];

Deno.test("habits from stm32flash, dfu-util and esptool are answered with the flashrecipe equivalent (exit 2)", async () => {
  for (const [args, expected] of CASES) {
    const result = await runCli(...args);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, expected, args.join(" "));
    assert.doesNotMatch(result.stderr, /did you mean 'usb'/, "a short option never gets a long option's name");
  }
});

Deno.test("help COMMAND prints that command's help; help of an unknown command says so", async () => {
  const help = await runCli("help", "write");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^flashrecipe write FILE/);
  assert.equal(help.stdout, (await runCli("write", "--help")).stdout);
  const unknown = await runCli("help", "flash");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /use 'flashrecipe write/);
});
