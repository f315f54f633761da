/**
 * A sparse model of target memory: the one shape every image format is read into and written from.
 *
 * A {@linkcode MemoryImage} is a list of segments sorted by address, never overlapping, with adjacent segments
 * merged. Parsers collect records in a {@linkcode MemoryImageBuilder} and normalise once at the end, so building
 * from many small records costs one sort (skipped when records come in order) and one copy.
 *
 * @module
 */

import { hexAddress, ImageError } from "./errors.ts";

/** Size of the 32-bit address space; no byte of an image may lie at or above it. */
export const ADDRESS_SPACE = 0x1_0000_0000;

/** A run of bytes at an address. */
export interface Segment {
  /** Address of the first byte. */
  address: number;
  /** The bytes. */
  data: Uint8Array;
}

/** Options of {@linkcode MemoryImage}. */
export interface MemoryImageOptions {
  /** Where the image came from (usually a file name); used in messages. */
  name?: string;
  /** Entry point recorded by the file (ELF `e_entry`, Intel HEX type 05, S-record S7/S8/S9), if any. */
  entry?: number;
}

/** A segment as collected from a source, with a tag naming where it came from (line number, source index). */
interface Piece {
  address: number;
  data: Uint8Array;
  tag: number;
  /** For a run of several records: where their tags change pattern (see {@linkcode RecordMark}). */
  marks?: RecordMark[];
}

/**
 * `count` records of `size` bytes from offset `start` of a run, tagged `tag`, `tag + 1`, ... — consecutive lines of
 * equal records, as linkers write them, cost one mark, not one entry per record.
 */
interface RecordMark {
  start: number;
  tag: number;
  size: number;
  count: number;
}

/** The lowest address two sources disagree on, and the pieces that disagree. */
interface Conflict {
  address: number;
  earlier: Piece;
  later: Piece;
}

/** Marks options of an image built here from normalised, owned segments (see {@linkcode adopt}). */
const ADOPT: unique symbol = Symbol("adopt normalised segments");

/** {@linkcode MemoryImageOptions} with the module-private adopt mark. */
interface AdoptOptions extends MemoryImageOptions {
  [ADOPT]?: true;
}

/** An image over segments `normalise` produced (sorted, merged, owned), without a second copy. */
function adopt(segments: Segment[], options: MemoryImageOptions): MemoryImage {
  const adoptOptions: AdoptOptions = { ...options, [ADOPT]: true };
  return new MemoryImage(segments, adoptOptions);
}

/** Throws `E_IMAGE_WRAP` unless `[address, address + length)` lies inside the 32-bit address space. */
export function checkAddressRange(address: number, length: number, name: string, line?: number): void {
  if (!Number.isInteger(address) || address < 0 || address >= ADDRESS_SPACE) {
    throw new ImageError("E_IMAGE_WRAP", `address ${address} is outside the 32-bit address space`, {
      location: { file: name, line },
    });
  }
  if (address + length > ADDRESS_SPACE) {
    throw new ImageError(
      "E_IMAGE_WRAP",
      `${length} bytes at ${hexAddress(address)} run past 0xffffffff`,
      { location: { file: name, line }, hint: "the file's addresses wrap around; it is corrupt or for another target" },
    );
  }
}

/**
 * Sorts pieces by address and merges overlapping and adjacent ones into segments. Overlaps must carry equal
 * bytes; the lowest address where they do not is reported through `conflictError`. With `owned`, the pieces' arrays
 * belong to the image being built (nobody else holds them), so a piece that is a segment on its own is kept as is.
 * Time: one pass, plus one sort when the pieces are out of order; memory: the segments' bytes once more, at most.
 */
function normalise(
  pieces: Piece[],
  conflictError: (conflict: Conflict) => ImageError,
  owned = false,
): Segment[] {
  let sorted = true;
  for (let i = 1; i < pieces.length; i++) {
    if (pieces[i].address < pieces[i - 1].address) {
      sorted = false;
      break;
    }
  }
  // Array.prototype.sort is stable, so equal addresses keep source order ("earlier" stays earlier).
  if (!sorted) pieces = [...pieces].sort((a, b) => a.address - b.address);

  // First pass: where the runs (future segments) begin and end, and how many bytes need a new home. All of them
  // share one allocation, so that 100000 small segments are not 100000 buffers.
  const runEnds: number[] = []; // for each run: index one past its last piece
  let pooled = 0;
  for (let i = 0; i < pieces.length;) {
    const runStart = pieces[i].address;
    let runEnd = runStart + pieces[i].data.length;
    let j = i + 1;
    while (j < pieces.length && pieces[j].address <= runEnd) {
      runEnd = Math.max(runEnd, pieces[j].address + pieces[j].data.length);
      j++;
    }
    runEnds.push(j);
    if (!(j === i + 1 && owned)) pooled += runEnd - runStart;
    i = j;
  }
  const pool = new Uint8Array(pooled);
  let poolUsed = 0;

  const segments: Segment[] = [];
  let conflict: Conflict | undefined;
  let i = 0;
  for (const j of runEnds) {
    const runStart = pieces[i].address;
    let runEnd = runStart;
    for (let k = i; k < j; k++) runEnd = Math.max(runEnd, pieces[k].address + pieces[k].data.length);
    if (j === i + 1 && owned) {
      // A run of one piece the caller handed over: its bytes are used as they are, not copied again.
      segments.push({ address: runStart, data: pieces[i].data });
      i = j;
      continue;
    }
    const buffer = pool.subarray(poolUsed, poolUsed + runEnd - runStart);
    poolUsed += runEnd - runStart;
    // Everything below `filled` is written: pieces are sorted and the run has no holes.
    let filled = runStart;
    for (let k = i; k < j; k++) {
      const piece = pieces[k];
      const pieceEnd = piece.address + piece.data.length;
      if (piece.address < filled) {
        const overlapEnd = Math.min(filled, pieceEnd);
        for (let address = piece.address; address < overlapEnd; address++) {
          if (conflict && address >= conflict.address) break;
          if (buffer[address - runStart] !== piece.data[address - piece.address]) {
            const earlier = findCovering(pieces, i, k, address);
            conflict = { address, earlier, later: piece };
            break;
          }
        }
      }
      if (pieceEnd > filled) {
        buffer.set(piece.data.subarray(filled - piece.address), filled - runStart);
        filled = pieceEnd;
      }
    }
    segments.push({ address: runStart, data: buffer });
    i = j;
  }
  if (conflict) throw conflictError(conflict);
  return segments;
}

/** The last piece in `pieces[from, to)` that holds `address` (the one whose byte is in the buffer). */
function findCovering(pieces: Piece[], from: number, to: number, address: number): Piece {
  for (let k = to - 1; k >= from; k--) {
    const piece = pieces[k];
    if (address >= piece.address && address < piece.address + piece.data.length) return piece;
  }
  // Unreachable: normalise only asks for addresses below `filled`, which some earlier piece wrote.
  throw new Error(`internal: no piece covers ${hexAddress(address)}`);
}

/**
 * A sparse memory image: sorted, non-overlapping segments, adjacent ones merged.
 *
 * Segment data is owned by the image (copied on construction); do not modify it.
 *
 * @example
 * ```ts
 * const image = new MemoryImage([{ address: 0x08000000, data: new Uint8Array([1, 2]) }]);
 * image.slice(0x08000000, 4); // Uint8Array [1, 2, 0xff, 0xff]
 * ```
 */
export class MemoryImage {
  /** The segments, sorted by address, non-overlapping, adjacent ones merged. */
  readonly segments: readonly Segment[];
  /** Where the image came from (file name), when known. */
  readonly name?: string;
  /** Entry point the file recorded, when it did. */
  readonly entry?: number;

  /**
   * Builds an image from segments in any order. Overlapping segments must hold identical bytes where they
   * overlap; otherwise an `E_IMAGE_OVERLAP` {@linkcode ImageError} names the first conflicting address.
   * Segments past 0xFFFFFFFF raise `E_IMAGE_WRAP`. Empty segments are dropped.
   */
  constructor(segments: readonly Segment[] = [], options: MemoryImageOptions = {}) {
    const name = options.name ?? "image";
    if ((options as AdoptOptions)[ADOPT] === true) {
      // Built by this module from segments already sorted, merged and owned: nothing to check or copy.
      this.segments = segments;
      this.name = options.name;
      this.entry = options.entry;
      return;
    }
    const pieces: Piece[] = [];
    segments.forEach((segment, index) => {
      checkAddressRange(segment.address, segment.data.length, name);
      if (segment.data.length > 0) pieces.push({ address: segment.address, data: segment.data, tag: index });
    });
    this.segments = normalise(
      pieces,
      ({ address }) =>
        new ImageError("E_IMAGE_OVERLAP", `${hexAddress(address)} is given twice with different data`, {
          location: { file: name },
          hint: "the image overlaps itself with different data; rebuild it",
        }),
    );
    this.name = options.name;
    this.entry = options.entry;
  }

  /** An image with no data. */
  static empty(): MemoryImage {
    return new MemoryImage();
  }

  /** Total number of bytes held. */
  get size(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.data.length;
    return total;
  }

  /** Lowest address holding data; 0 for an empty image (check {@linkcode isEmpty}). */
  get start(): number {
    return this.segments.length === 0 ? 0 : this.segments[0].address;
  }

  /** One past the highest address holding data; 0 for an empty image (check {@linkcode isEmpty}). */
  get end(): number {
    const last = this.segments[this.segments.length - 1];
    return last === undefined ? 0 : last.address + last.data.length;
  }

  /** True when the image holds no bytes. */
  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /**
   * Combines two images. Where they overlap their bytes must be equal; otherwise an `E_IMAGE_OVERLAP`
   * {@linkcode ImageError} names both sources and the lowest conflicting address. The entry point of this image
   * wins over the other's.
   */
  merge(other: MemoryImage, names?: { mine: string; theirs: string }): MemoryImage {
    const mine = names?.mine ?? this.name ?? "first image";
    const theirs = names?.theirs ?? other.name ?? "second image";
    return MemoryImage.mergeAll([this, other], [mine, theirs], { name: this.name, entry: this.entry ?? other.entry });
  }

  /**
   * Combines any number of images in one pass (one sort of all their segments, not one merge per image): where two
   * overlap their bytes must be equal; otherwise an `E_IMAGE_OVERLAP` {@linkcode ImageError} names the two (from
   * `names`, by position) and the lowest conflicting address. `options` names the result.
   */
  static mergeAll(
    images: readonly MemoryImage[],
    names: readonly string[],
    options: MemoryImageOptions = {},
  ): MemoryImage {
    const pieces: Piece[] = [];
    images.forEach((image, index) => {
      for (const segment of image.segments) pieces.push({ address: segment.address, data: segment.data, tag: index });
    });
    const segments = normalise(pieces, ({ address, earlier, later }) => {
      const [a, b] = earlier.tag <= later.tag ? [earlier, later] : [later, earlier];
      const first = a.data[address - a.address];
      const second = b.data[address - b.address];
      return new ImageError(
        "E_IMAGE_OVERLAP",
        `${names[a.tag] ?? `image ${a.tag + 1}`} and ${names[b.tag] ?? `image ${b.tag + 1}`} differ at ` +
          `${hexAddress(address)} (0x${hexByte(first)} vs 0x${hexByte(second)})`,
        { hint: "the images overlap with different data; check their addresses" },
      );
    }, true);
    // The merged runs are new arrays, or segments of the images (immutable, so safe to share).
    return adopt(segments, options);
  }

  /**
   * Returns `length` bytes from `address`, with bytes the image does not hold set to `fill` (default 0xFF,
   * the value of erased flash).
   */
  slice(address: number, length: number, fill = 0xff): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`bad slice length ${length}`);
    const result = new Uint8Array(length);
    result.fill(fill);
    const end = address + length;
    for (let i = this.#firstEndingAfter(address); i < this.segments.length; i++) {
      const segment = this.segments[i];
      if (segment.address >= end) break;
      const from = Math.max(address, segment.address);
      const to = Math.min(end, segment.address + segment.data.length);
      result.set(segment.data.subarray(from - segment.address, to - segment.address), from - address);
    }
    return result;
  }

  /**
   * The segments holding any byte of `[address, address + length)`, in address order: found by binary search, so
   * that asking once per flash page costs pages × log(segments), not pages × segments.
   */
  segmentsIn(address: number, length: number): readonly Segment[] {
    const first = this.#firstEndingAfter(address);
    let end = first;
    while (end < this.segments.length && this.segments[end].address < address + length) end++;
    return this.segments.slice(first, end);
  }

  /** True when the image holds a byte at `address`. */
  covers(address: number): boolean {
    const segment = this.segments[this.#firstEndingAfter(address)];
    return segment !== undefined && segment.address <= address;
  }

  /** True when the image holds any byte in `[address, address + length)`. */
  overlaps(address: number, length: number): boolean {
    const segment = this.segments[this.#firstEndingAfter(address)];
    return segment !== undefined && length > 0 && segment.address < address + length;
  }

  /**
   * Splits the image into transfer-sized chunks:
   * - every chunk starts and ends on a multiple of `alignment` (edges padded with `fill`, default 0xFF);
   * - no chunk crosses a multiple of `maxSize` (so with `maxSize` 256 each chunk lies within one 256-byte block);
   * - chunks never overlap, even when two segments pad into the same aligned unit.
   *
   * `maxSize` must be a multiple of `alignment`.
   */
  chunks(alignment: number, maxSize: number, fill = 0xff): Segment[] {
    if (!Number.isInteger(alignment) || alignment < 1) throw new RangeError(`bad chunk alignment ${alignment}`);
    if (!Number.isInteger(maxSize) || maxSize < alignment || maxSize % alignment !== 0) {
      throw new RangeError(`chunk size ${maxSize} is not a multiple of the alignment ${alignment}`);
    }
    const ranges: { start: number; end: number }[] = [];
    for (const segment of this.segments) {
      const start = Math.floor(segment.address / alignment) * alignment;
      const end = Math.ceil((segment.address + segment.data.length) / alignment) * alignment;
      const last = ranges[ranges.length - 1];
      if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
      else ranges.push({ start, end });
    }
    const chunks: Segment[] = [];
    for (const { start, end } of ranges) {
      let address = start;
      while (address < end) {
        const next = Math.min(end, (Math.floor(address / maxSize) + 1) * maxSize);
        chunks.push({ address, data: this.slice(address, next - address, fill) });
        address = next;
      }
    }
    return chunks;
  }

  /** Index of the first segment whose end lies above `address` (binary search). */
  #firstEndingAfter(address: number): number {
    let low = 0;
    let high = this.segments.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const segment = this.segments[middle];
      if (segment.address + segment.data.length <= address) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/**
 * Most bytes one file's records may hold, overlaps counted each time: 64 MiB, sixteen times the largest STM32 flash
 * (4 MiB). It bounds the time and memory of building an image whatever the file does, e.g. an ELF whose 65535
 * segments each load the same megabyte.
 */
export const MAX_IMAGE_BYTES_ADDED = 64 * 1024 * 1024;

/**
 * Most separate runs of data (records that do not continue the one before) one file may give. Each run costs a few
 * hundred bytes of bookkeeping whatever its length, so a HEX of 1-byte records with gaps between them took 400 MB to
 * convert and 1.2 GB to summarise per million records, and a 256 MiB file holds 20 million. Linkers write a few
 * dozen runs; 2^18 keeps room for files of 130000 scattered segments, read whole.
 */
export const MAX_IMAGE_RUNS = 262_144;

/** A run of contiguous records being collected: one growing buffer, and where each record starts in it. */
interface Run {
  address: number;
  /** The run's bytes are `buffer[offset, offset + length)`; the buffer may be a shared slab. */
  buffer: Uint8Array;
  offset: number;
  length: number;
  /** True when the run owns `buffer` (grown out of the slab). */
  own: boolean;
  /** Tag (source line) of the first record. */
  tag: number;
  /** Where the records' tags are, made when a second record joins. */
  marks?: RecordMark[];
}

/** Size of the slabs small runs are cut from, so that 100000 one-record runs are not 100000 buffers. */
const SLAB_SIZE = 64 * 1024;

/**
 * Collects records from one source (a file) and builds a {@linkcode MemoryImage} once at the end. Records may
 * come in any order; overlapping records must agree, else `E_IMAGE_OVERLAP` names the two lines.
 *
 * Memory stays a small multiple of the bytes described, whatever the number of records: a record that continues the
 * previous one is appended to its run's buffer (grown by doubling) rather than kept as an object of its own, so a
 * 50 MB Intel HEX of 16-byte records becomes a few buffers, not millions of arrays. Records' lines are kept for
 * overlap messages, one mark per stretch of equal records on consecutive lines.
 */
export class MemoryImageBuilder {
  readonly #name: string;
  readonly #pieces: Piece[] = [];
  #run: Run | undefined;
  #added = 0;
  #runs = 0;
  #slab = new Uint8Array(0);
  #slabUsed = 0;

  /** `name` is the source's name (file path) for messages. */
  constructor(name: string) {
    this.#name = name;
  }

  /**
   * Adds `data` at `address`; `line` (1-based) is where in the source it came from. The bytes are copied, so
   * `data` may be a view of a buffer the caller reuses. Raises `E_IMAGE_WRAP` if the data runs past 0xFFFFFFFF.
   */
  add(address: number, data: Uint8Array, line?: number): void {
    checkAddressRange(address, data.length, this.#name, line);
    if (data.length === 0) return;
    this.#added += data.length;
    if (this.#added > MAX_IMAGE_BYTES_ADDED) {
      throw new ImageError(
        "E_IMAGE_FORMAT",
        `the file's data adds up to more than ${MAX_IMAGE_BYTES_ADDED} bytes (overlapping parts counted each time)`,
        {
          location: { file: this.#name, line },
          hint: "no STM32 holds that much; the file is corrupt or not firmware for this chip",
        },
      );
    }
    const tag = line ?? 0;
    const run = this.#run;
    if (run !== undefined && address === run.address + run.length) {
      this.#reserve(run, data.length);
      run.buffer.set(data, run.offset + run.length);
      const marks = run.marks ??= [{ start: 0, tag: run.tag, size: run.length, count: 1 }];
      const last = marks[marks.length - 1];
      if (
        data.length === last.size && tag === last.tag + last.count && run.length === last.start + last.size * last.count
      ) {
        last.count++;
      } else {
        marks.push({ start: run.length, tag, size: data.length, count: 1 });
      }
      run.length += data.length;
      return;
    }
    if (++this.#runs > MAX_IMAGE_RUNS) {
      throw new ImageError(
        "E_IMAGE_FORMAT",
        `the file's data comes in more than ${MAX_IMAGE_RUNS} separate runs (records with gaps between them)`,
        {
          location: { file: this.#name, line },
          hint: "no linker writes that many; the file is corrupt or not firmware (merge the records, or fill the gaps)",
        },
      );
    }
    this.#closeRun();
    const fresh: Run = { address, buffer: this.#slab, offset: this.#slabUsed, length: 0, own: false, tag };
    this.#reserve(fresh, data.length);
    fresh.buffer.set(data, fresh.offset);
    fresh.length = data.length;
    this.#run = fresh;
  }

  /**
   * Makes room for `count` more bytes in `run`: in place at the end of the slab while it has room, else in a
   * buffer of the run's own, doubled each time it fills.
   */
  #reserve(run: Run, count: number): void {
    const needed = run.length + count;
    if (!run.own) {
      const inSlab = run.buffer === this.#slab && run.offset + run.length === this.#slabUsed;
      if (inSlab && run.offset + needed <= this.#slab.length) {
        this.#slabUsed = run.offset + needed;
        return;
      }
      if (run.length === 0 && needed <= SLAB_SIZE / 4) {
        // A new small run: cut from a fresh slab.
        this.#slab = new Uint8Array(SLAB_SIZE);
        run.buffer = this.#slab;
        run.offset = 0;
        this.#slabUsed = needed;
        return;
      }
    } else if (needed <= run.buffer.length) {
      return;
    }
    const grown = new Uint8Array(Math.max(needed, run.buffer.length * 2, 4096));
    grown.set(run.buffer.subarray(run.offset, run.offset + run.length));
    if (!run.own && run.buffer === this.#slab && run.offset + run.length === this.#slabUsed) {
      this.#slabUsed = run.offset; // give the slab's tail back
    }
    run.buffer = grown;
    run.offset = 0;
    run.own = true;
  }

  /** Number of bytes added so far (overlaps counted twice). */
  get bytesAdded(): number {
    return this.#added;
  }

  /** Merges the records into an image. An image with no data raises `E_IMAGE_EMPTY`. */
  build(options: { entry?: number } = {}): MemoryImage {
    const name = this.#name;
    this.#closeRun();
    if (this.#pieces.length === 0) {
      throw new ImageError("E_IMAGE_EMPTY", "the file holds no data", {
        location: { file: name },
        hint: "the file is empty or has no data records",
      });
    }
    const segments = normalise(this.#pieces, ({ address, earlier, later }) => {
      const first = tagAt(earlier, address);
      const second = tagAt(later, address);
      const where = second > 0 && first > 0 ? ` (line ${first} wrote it first)` : "";
      return new ImageError(
        "E_IMAGE_OVERLAP",
        `${hexAddress(address)} is written twice with different data${where}`,
        {
          location: { file: name, line: second > 0 ? second : undefined },
          hint: "the image overlaps itself with different data; rebuild it",
        },
      );
    }, true);
    return adopt(segments, { name, entry: options.entry });
  }

  /** Ends the current run: its bytes become a piece (trimmed when the buffer has much room to spare). */
  #closeRun(): void {
    const run = this.#run;
    if (run === undefined) return;
    this.#run = undefined;
    const spare = run.buffer.length - run.length;
    const data = run.own && spare > run.length / 8
      ? run.buffer.slice(0, run.length)
      : run.buffer.subarray(run.offset, run.offset + run.length);
    const piece: Piece = { address: run.address, data, tag: run.tag };
    if (run.marks !== undefined) piece.marks = run.marks;
    this.#pieces.push(piece);
  }
}

/** The tag (source line) of the record of `piece` that holds `address`. */
function tagAt(piece: Piece, address: number): number {
  const { marks } = piece;
  if (marks === undefined) return piece.tag;
  const offset = address - piece.address;
  let low = 0;
  let high = marks.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (marks[middle].start <= offset) low = middle;
    else high = middle - 1;
  }
  const mark = marks[low];
  return mark.tag + Math.min(Math.floor((offset - mark.start) / mark.size), mark.count - 1);
}

/** Two lower-case hex digits. */
function hexByte(value: number | undefined): string {
  return (value ?? 0).toString(16).padStart(2, "0");
}
