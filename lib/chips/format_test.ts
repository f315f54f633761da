import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { chipByPid } from "./database.ts";
import {
  decodeOptionBytes,
  describeChip,
  encodeOptionField,
  formatAddress,
  formatBootloaderVersion,
  formatSize,
} from "./format.ts";
import type { ChipInfo } from "./types.ts";

function chip(pid: number): ChipInfo {
  const found = chipByPid(pid);
  assert.ok(found, `no chip 0x${pid.toString(16)}`);
  return found;
}

function valueOf(values: { name: string; value: number }[], name: string): number | undefined {
  return values.find((v) => v.name === name)?.value;
}

/** Little-endian bytes of 32-bit words. */
function words(...list: number[]): Uint8Array {
  const out = new Uint8Array(list.length * 4);
  const view = new DataView(out.buffer);
  list.forEach((word, i) => view.setUint32(i * 4, word >>> 0, true));
  return out;
}

function wordAt(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset, true);
}

/** Option bytes stored as byte/complement pairs (F0/F1/F3): each of `values` followed by its complement. */
function withComplements(...values: number[]): Uint8Array {
  return Uint8Array.from(values.flatMap((value) => [value, ~value & 0xff]));
}

// F1 factory state (RM0008 §2.5): RDP 0xA5, USER 0xFF, data 0xFF, WRP 0xFF, each with its complement.
const F1_DEFAULT = withComplements(0xa5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

Deno.test("formatters", () => {
  assert.equal(formatSize(2 * 1024 * 1024), "2 MiB");
  assert.equal(formatSize(1536 * 1024), "1536 KiB");
  assert.equal(formatSize(88), "88 bytes");
  assert.equal(formatAddress(0x0800_0000), "0x08000000");
  assert.equal(formatAddress(0x1fff_f7e8), "0x1FFFF7E8");
  assert.equal(formatBootloaderVersion(0x22), "2.2");
  assert.equal(formatBootloaderVersion(0xd1), "13.1");
});

Deno.test("describeChip: F103C8 on the medium-density die", () => {
  const text = describeChip(chip(0x410), 64 * 1024);
  assert.match(text, /^STM32F10xxx medium-density \(product ID 0x410, F1 series\): 64 KiB of flash at 0x08000000/);
  assert.match(text, /64 x 1 KiB pages in one bank \(up to 128 KiB on this die\)/);
  assert.match(text, /units of 2 bytes/);
  assert.match(text, /SRAM: 20 KiB at 0x20000000, free for user code from 0x20000200/);
  assert.match(text, /system memory at 0x1FFFF000, version 2\.2/);
  assert.match(text, /Option bytes: 16 bytes at 0x1FFFF800 \(RDP, WDG_SW/);
  assert.match(text, /Erase \(0x43\)/);
  assert.match(text, /Source: AN2606/);
  assert.ok(!text.includes("\n"), "one paragraph");
});

Deno.test("describeChip: F405 sectors, H743 banks, L011 RAM fully used, oversize flash noted", () => {
  assert.match(describeChip(chip(0x413)), /4 x 16 KiB \+ 1 x 64 KiB \+ 7 x 128 KiB sectors in one bank/);
  assert.match(describeChip(chip(0x413)), /Extended Erase \(0x44\)/);
  assert.match(describeChip(chip(0x450)), /16 x 128 KiB sectors in 2 banks/);
  assert.match(describeChip(chip(0x457)), /none of it free for user code/);
  assert.match(describeChip(chip(0x410), 256 * 1024), /more than the 128 KiB the database knows/);
});

Deno.test("decodeOptionBytes: F1 factory defaults", () => {
  const values = decodeOptionBytes(chip(0x410), F1_DEFAULT);
  assert.equal(valueOf(values, "RDP"), 0xa5);
  assert.equal(valueOf(values, "WDG_SW"), 1);
  assert.equal(valueOf(values, "nRST_STOP"), 1);
  assert.equal(valueOf(values, "nRST_STDBY"), 1);
  assert.equal(valueOf(values, "Data0"), 0xff);
  assert.equal(valueOf(values, "WRP0"), 0xff);
  assert.equal(valueOf(values, "WRP3"), 0xff);
  assert.ok(values.every((v) => v.description.length > 0));
  assert.equal(values.length, chip(0x410).optionBytes.fields.length);
});

Deno.test("encodeOptionField: F1 byte/complement pairs", () => {
  const f1 = chip(0x410);
  const out = encodeOptionField(f1, F1_DEFAULT, "WDG_SW", 0);
  assert.deepEqual([...out.subarray(0, 4)], [0xa5, 0x5a, 0xfe, 0x01], "USER and nUSER rewritten");
  assert.deepEqual([...out.subarray(4)], [...F1_DEFAULT.subarray(4)], "other option bytes untouched");
  assert.equal(F1_DEFAULT[2], 0xff, "input not modified");
  const protectedRdp = encodeOptionField(f1, out, "rdp", 0x00);
  assert.deepEqual([...protectedRdp.subarray(0, 4)], [0x00, 0xff, 0xfe, 0x01]);
  const wrp = encodeOptionField(f1, F1_DEFAULT, "WRP1", 0x0f);
  assert.deepEqual([...wrp.subarray(8, 12)], [0xff, 0x00, 0x0f, 0xf0]);
  assert.equal(valueOf(decodeOptionBytes(f1, wrp), "WRP1"), 0x0f);
});

Deno.test("F4 option bytes: USER+RDP half-word with its complement", () => {
  const f4 = chip(0x413);
  // RM0090 §3.6.1 defaults: USER 0xEC (BOR off, software watchdog, no resets), RDP 0xAA, nWRP 0xFFF.
  const defaults = words(0x5513_aaec, 0xffff_ffff, 0xf000_0fff, 0xffff_ffff);
  const values = decodeOptionBytes(f4, defaults);
  assert.equal(valueOf(values, "RDP"), 0xaa);
  assert.equal(valueOf(values, "BOR_LEV"), 3);
  assert.equal(valueOf(values, "WDG_SW"), 1);
  assert.equal(valueOf(values, "nWRP"), 0xfff);
  const out = encodeOptionField(f4, defaults, "RDP", 0xbb);
  assert.equal(wordAt(out, 0), 0x4413_bbec);
  const wrp = encodeOptionField(f4, defaults, "nWRP", 0xffe);
  assert.equal(wordAt(wrp, 8), 0xf001_0ffe);
});

Deno.test("L4 option bytes: OPTR word followed by its complement word", () => {
  const l4 = chip(0x435);
  const optr = 0xffef_f8aa;
  const bytes = words(optr, ~optr, 0xffff_ffff, 0, 0xff00_ff00, 0x00ff_00ff, 0xff00_ff00, 0x00ff_00ff, 0, 0);
  assert.equal(valueOf(decodeOptionBytes(l4, bytes), "nBOOT0"), 1);
  const out = encodeOptionField(l4, bytes, "nBOOT0", 0);
  assert.equal(wordAt(out, 0), 0xf7ef_f8aa);
  assert.equal(wordAt(out, 4), 0x0810_0755);
  const wrp = encodeOptionField(l4, bytes, "WRP1A_END", 0x10);
  assert.equal(wordAt(wrp, 0x18), 0xff10_ff00);
  assert.equal(wordAt(wrp, 0x1c), 0x00ef_00ff);
});

Deno.test("H7 option registers: no complement, 32-bit fields", () => {
  const h7a = chip(0x480);
  const bytes = new Uint8Array(h7a.optionBytes.size).fill(0xff);
  const out = encodeOptionField(h7a, bytes, "WRPSn1", 0xffff_fffe);
  assert.equal(wordAt(out, 0x20), 0xffff_fffe);
  assert.deepEqual([...out.subarray(0x24)], [...bytes.subarray(0x24)]);
  const rdp = encodeOptionField(chip(0x450), new Uint8Array(0x80), "RDP", 0xcc);
  assert.equal(wordAt(rdp, 4), 0xcc00);
  assert.equal(wordAt(rdp, 0), 0, "OPTSR_CUR untouched");
});

Deno.test("encodeOptionField rejects unknown fields, bad values and short buffers", () => {
  const f1 = chip(0x410);
  assert.throws(
    () => encodeOptionField(f1, F1_DEFAULT, "nBOOT0", 1),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, "E_OPTION_FIELD");
      assert.match(error.hint ?? "", /F1 option fields: RDP, WDG_SW, nRST_STOP/);
      return true;
    },
  );
  for (const bad of [0x100, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => encodeOptionField(f1, F1_DEFAULT, "RDP", bad),
      (error: unknown) => error instanceof InputError && error.code === "E_OPTION_VALUE",
      `value ${bad}`,
    );
  }
  assert.throws(
    () => encodeOptionField(f1, F1_DEFAULT, "WDG_SW", 2),
    (error: unknown) => error instanceof InputError && /0 to 1/.test(error.hint ?? ""),
  );
  assert.throws(
    () => decodeOptionBytes(f1, F1_DEFAULT.subarray(0, 8)),
    (error: unknown) => error instanceof InputError && error.code === "E_OPTION_BYTES_SHORT",
  );
});
