/**
 * Prints how many control transfers per second our libusb FFI transport gets through the virtual USB lab
 * (OUT 2048 bytes + IN 2048 bytes per round, like DfuSe downloads and uploads with wTransferSize 2048).
 *
 * `deno run -A scripts/usb_lab/bench.ts [ROUNDS]`
 *
 * @module
 */

import { startUsbLab } from "./lab.ts";
import { VendorTestDevice } from "./test_devices.ts";

const CHILD = `
import { openUsbDevice } from "${new URL("../../lib/transport/usb/libusb.ts", import.meta.url).href}";
const rounds = Number(Deno.args[0]);
const device = await openUsbDevice({ vendorId: 0x1209, productId: 0x0001 });
const data = new Uint8Array(2048).map((_, i) => i & 0xff);
const start = performance.now();
for (let i = 0; i < rounds; i++) {
  await device.controlOut({ bmRequestType: 0x41, bRequest: 1, wValue: 0, wIndex: 0, wLength: data.length }, data, 1000);
  await device.controlIn({ bmRequestType: 0xc1, bRequest: 2, wValue: 0, wIndex: 0, wLength: data.length }, 1000);
}
const seconds = (performance.now() - start) / 1000;
await device.close();
console.log(\`\${2 * rounds} transfers in \${seconds.toFixed(2)} s: \${(2 * rounds / seconds).toFixed(0)} transfers/s, \` +
  \`\${(2 * rounds * 2048 / 1024 / seconds).toFixed(0)} KiB/s\`);
`;

const rounds = Number(Deno.args[0] ?? 200);
const script = await Deno.makeTempFile({ suffix: ".ts" });
try {
  await Deno.writeTextFile(script, CHILD);
  const lab = await startUsbLab({ devices: [new VendorTestDevice()] });
  try {
    const code = await lab.run(Deno.execPath(), ["run", "-A", "--quiet", script, String(rounds)]);
    if (code !== 0) throw new Error(`benchmark child exited with ${code}`);
  } finally {
    await lab.close();
  }
} finally {
  await Deno.remove(script);
}
