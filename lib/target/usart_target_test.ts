import assert from "node:assert/strict";
import { chipByPid, partByName } from "../chips/database.ts";
import { signatureArea, uniqueIdFromSpan, uniqueIdSpan } from "../chips/signature_area.ts";
import { factoryOptionBytes, type OptionByteModel } from "../sim/option_bytes.ts";
import { type SimulatedPart, simulatedPart, simulatedPartNames } from "../sim/parts.ts";
import { SimulatedChip } from "../sim/sim_chip.ts";
import { UsartBootloaderDevice } from "../sim/usart_device.ts";
import type { ByteStream } from "../transport/byte_stream.ts";
import { createMemoryPipe } from "../transport/memory_pipe.ts";
import { connectUsart, SIGNATURE_SPAN_LIMIT, type UsartTarget } from "./usart_target.ts";

/** What the host sent, one entry per write. */
type Writes = Uint8Array[];

/** The Read Memory commands in `writes` (AN3155 §3.4: 0x11 0xEE, address frame of 5, length frame of 2). */
function readMemoryCommands(writes: Writes): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 2 < writes.length; i++) {
    const [frame, address, count] = [writes[i], writes[i + 1], writes[i + 2]];
    if (frame.length !== 2 || frame[0] !== 0x11 || frame[1] !== 0xee) continue;
    if (address.length !== 5 || count.length !== 2) continue;
    out.push([new DataView(address.buffer, address.byteOffset).getUint32(0), count[0] + 1]);
  }
  return out;
}

/** Connects to `chip` over an in-memory pipe, recording what the host writes; tears everything down. */
async function connect(chip: SimulatedChip): Promise<{ target: UsartTarget; warnings: string[]; writes: Writes }> {
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd).serve();
  const writes: Writes = [];
  const recording: ByteStream = {
    write: (data) => {
      writes.push(data.slice());
      return hostEnd.write(data);
    },
    read: (length, timeoutMs) => hostEnd.read(length, timeoutMs),
    discardInput: () => hostEnd.discardInput(),
    close: () => hostEnd.close(),
  };
  const warnings: string[] = [];
  try {
    const target = await connectUsart(recording, { warn: (m) => warnings.push(m) });
    await target.close();
    return { target, warnings, writes };
  } finally {
    await hostEnd.close();
    await served;
  }
}

const UID = new Uint8Array([0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb]);

for (const [name, start, length] of [["stm32f103cb", 0x1fff_f7e0, 20], ["stm32f405rg", 0x1fff_7a10, 20]] as const) {
  Deno.test(`connect on the ${name}: one Read Memory for flash size and unique ID`, async () => {
    const part = simulatedPart(name);
    const chip = new SimulatedChip(part, { uniqueId: UID });
    const { target, writes } = await connect(chip);
    assert.deepEqual(readMemoryCommands(writes), [[start, length]]);
    assert.equal(target.identity.flashSize, part.part.flashSize);
    assert.equal(target.identity.uniqueId, "102132435465768798a9bacb");
  });
}

Deno.test("connect on the stm32g071rb: flash size and unique ID 82 bytes apart, read one by one", async () => {
  const part = simulatedPart("stm32g071rb");
  const chip = new SimulatedChip(part, { uniqueId: UID });
  const { target, writes } = await connect(chip);
  assert.deepEqual(readMemoryCommands(writes), [[0x1fff_75e0, 2], [0x1fff_7590, 12]]);
  assert.equal(target.identity.flashSize, part.part.flashSize);
  assert.equal(target.identity.uniqueId, "102132435465768798a9bacb");
});

/** An STM32L073RZ from the chip database on the simulator (not a `--simulate` part: only what connect reads). */
function l073Part(): SimulatedPart {
  const part = partByName("stm32l073rz")!;
  const chip = chipByPid(part.pid)!;
  // Enough of an option model for connect, which reads no option bytes: RDP level 0 is 0xAA (RM0377 §3.4.1).
  const optionModel: OptionByteModel = {
    rdpLevel0: 0xaa,
    rdpLevel1: 0xbb,
    wrp: { kind: "bits", fields: [], pagesPerBit: 32 },
    mirrors: [],
    factory: { words: { 0x0: 0x0000_00aa }, fill: 0x00 },
  };
  return {
    part,
    chip,
    usart: { version: 0x31, commands: [0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92] },
    optionModel,
    factoryOptionBytes: factoryOptionBytes(chip, optionModel),
  };
}

Deno.test("connect on an L0: the unique ID's third word comes from offset 0x14 (RM0377 §28.2)", async () => {
  const part = l073Part();
  const chip = new SimulatedChip(part, { uniqueId: UID });
  // Where the third word would be if the ID were contiguous, the chip holds something else.
  assert.notDeepEqual(chip.read(0x1ff8_0058, 4), UID.subarray(8, 12));
  const { target, writes } = await connect(chip);
  assert.deepEqual(readMemoryCommands(writes), [[0x1ff8_007c, 2], [0x1ff8_0050, 24]]);
  assert.equal(target.identity.flashSize, 192 * 1024);
  assert.equal(target.identity.uniqueId, "102132435465768798a9bacb");
});

Deno.test("connect on a read-protected chip: one NACKed read, a warning, no unique ID", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32f103cb"));
  chip.readoutProtect();
  const { target, warnings, writes } = await connect(chip);
  // NACKed at the command frame: one 0x11 0xEE sent, nothing after it.
  assert.equal(writes.filter((w) => w.length === 2 && w[0] === 0x11 && w[1] === 0xee).length, 1);
  assert.equal(target.identity.uniqueId, undefined);
  assert.equal(target.identity.flashSize, target.identity.chip.flash.maxSize);
  assert.deepEqual(warnings, ["the chip is read-protected: flash size and unique ID could not be read"]);
});

Deno.test("every simulated part answers the span read wherever the host merges the two reads", () => {
  let merged = 0;
  for (const name of simulatedPartNames()) {
    const part = simulatedPart(name);
    const { chip: info } = part;
    const size = info.flash.sizeRegister, uid = info.uniqueIdAddress;
    if (!signatureArea(info) || size === undefined || uid === undefined) continue;
    merged++;
    const start = Math.min(size, uid), end = Math.max(size + 2, uid + uniqueIdSpan(info));
    assert.ok(end - start <= SIGNATURE_SPAN_LIMIT, name);
    const chip = new SimulatedChip(part, { uniqueId: UID });
    const span = chip.read(start, end - start);
    assert.deepEqual(uniqueIdFromSpan(info, span.subarray(uid - start)), UID, name);
    const kib = span[size - start] | (span[size - start + 1] << 8);
    assert.equal(kib * 1024, part.part.flashSize, name);
  }
  assert.equal(merged, 4); // the three F103s and the F405
});
