// The HPACK decoder's fuzz target (RFC 7541): one connection's header blocks, made by our encoder
// (random fields, table sizes, Huffman modes and size updates), then mutated, or random bytes, fed
// in order to decoders with random limits. Only a COMPRESSION_ERROR connection error may escape,
// no block hangs, the dynamic table stays within its limit, a second fresh decoder gives the same
// result, and unmutated blocks decode back to the fields encoded, both tables in step.
import { H2Error } from "../../src/http2/h2-error.js";
import { entrySize, type DynamicTableView } from "../../src/http2/hpack/dynamic-table.js";
import { HpackDecoder, type DecodedBlock, type HpackDecoderLimits } from "../../src/http2/hpack/hpack-decoder.js";
import { HpackEncoder } from "../../src/http2/hpack/hpack-encoder.js";
import { mulberry32, mutate, randomBytes } from "./mutate.js";

/** CASE_MS is the longest one case (a few blocks, decoded twice) may take before it counts as a hang. */
const CASE_MS = 2000;

const NAMES = [":status", ":path", ":authority", "content-type", "content-length", "cache-control", "set-cookie", "cookie", "authorization", "etag", "date", "vary", "x-request-id", "x-custom", "x-\x80\xff"];
const VALUES = ["", "200", "404", "text/html; charset=utf-8", "no-store", "gzip", "Wed, 21 Oct 2015 07:28:00 GMT", "id=1; Path=/; HttpOnly", "v".repeat(100)];
const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)];

/** Step is one block of a connection: the table size we announce before it, if any, and what the encoder was given. */
interface Step {
  block: Buffer;
  fields: string[];
  neverIndex: boolean[];
  /** setting is our SETTINGS_HEADER_TABLE_SIZE, changed just before this block, or undefined. */
  setting: number | undefined;
  /** table is the encoder's dynamic table after the block (JSON), which the decoder's must match. */
  table: string;
}

function randomValue(rand: () => number): string {
  if (rand() < 0.6) return pick(rand, VALUES);
  let value = "";
  for (let n = Math.floor(rand() * 40); n > 0; n--) value += String.fromCharCode(rand() < 0.9 ? 0x20 + Math.floor(rand() * 95) : Math.floor(rand() * 256));
  return value;
}

/** encodeSteps makes 1 to 6 valid blocks with one encoder, changing the table size now and then. */
function encodeSteps(rand: () => number): Step[] {
  const encoder = new HpackEncoder({
    maxTableSize: pick(rand, [0, 100, 256, 4096]),
    huffman: pick(rand, ["auto", "always", "never"] as const),
    ...(rand() < 0.3 ? { maxIndexedEntrySize: pick(rand, [40, 200, 4096]) } : {}),
  });
  const steps: Step[] = [];
  for (let n = 1 + Math.floor(rand() * 6); n > 0; n--) {
    const setting = rand() < 0.2 ? pick(rand, [0, 32, 128, 4096]) : undefined;
    if (setting !== undefined) encoder.setMaxTableSize(setting);
    const fields: string[] = [];
    const neverIndex: boolean[] = [];
    for (let f = Math.floor(rand() * 8); f > 0; f--) {
      fields.push(pick(rand, NAMES), randomValue(rand));
      neverIndex.push(rand() < 0.1);
    }
    const block = encoder.encode(fields, neverIndex);
    steps.push({ block, fields, neverIndex, setting, table: JSON.stringify(encoder.table.entries()) });
  }
  return steps;
}

/** HpackCase is one input: the blocks, with the table size changes before them, and the decoder's limits. */
export interface HpackCase {
  blocks: Buffer[];
  settings: (number | undefined)[];
  limits: HpackDecoderLimits;
}

function randomLimits(rand: () => number): HpackDecoderLimits {
  const limits: HpackDecoderLimits = { maxTableSize: pick(rand, [0, 64, 256, 4096]), maxHeaderListSize: pick(rand, [64, 512, 16384]), maxFieldCount: pick(rand, [2, 10, 100]) };
  if (rand() < 0.5) limits.maxStringLength = pick(rand, [16, 256]);
  return limits;
}

/** flipBit returns a copy of a block with one bit flipped: the gentlest edit, which often still decodes. */
function flipBit(block: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(block);
  out[Math.floor(rand() * out.length)] ^= 1 << Math.floor(rand() * 8);
  return out;
}

/** mutateCase edits the valid blocks: a bit flipped, the shared mutator's edits, a block of random bytes, or random bytes after a block. */
function mutateCase(steps: Step[], rand: () => number): HpackCase {
  const blocks = steps.map((s) => s.block);
  for (let edits = 1 + Math.floor(rand() * 2); edits > 0; edits--) {
    const at = Math.floor(rand() * blocks.length);
    const kind = rand();
    if (kind < 0.3 && blocks[at].length > 0) blocks[at] = flipBit(blocks[at], rand);
    else if (kind < 0.7) blocks[at] = mutate(blocks[at], rand, blocks);
    else if (kind < 0.85) blocks[at] = randomBytes(rand, Math.floor(rand() * 48));
    else blocks[at] = Buffer.concat([blocks[at], randomBytes(rand, 1 + Math.floor(rand() * 8))]);
  }
  // The table limit is the one the encoder was told of, so the edits, not a mismatch, decide what fails.
  const limits = { ...(rand() < 0.5 ? randomLimits(rand) : { maxHeaderListSize: 16384, maxFieldCount: 100 }), maxTableSize: 4096 };
  return { blocks, settings: steps.map((s) => s.setting), limits };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** checkTable asserts the table's invariants: its size is its entries' sizes, within its maximum. */
function checkTable(table: DynamicTableView): void {
  const sum = table.entries().reduce((n, [name, value]) => n + entrySize(name, value), 0);
  check(sum === table.size, `the table's size ${table.size} is not its entries' ${sum}`);
  check(table.size <= table.maxSize, `the table holds ${table.size} octets, over its maximum ${table.maxSize}`);
}

/** checkBlock asserts what a decoded block must satisfy under the limits. */
function checkBlock(out: DecodedBlock, limits: HpackDecoderLimits): void {
  if (out.overLimit !== null) return check(out.fields.length === 0, `a block over ${out.overLimit} kept ${out.fields.length / 2} fields`);
  check(out.fields.length / 2 <= limits.maxFieldCount, `${out.fields.length / 2} fields, over maxFieldCount`);
  let size = 0;
  for (let i = 0; i < out.fields.length; i += 2) size += entrySize(out.fields[i], out.fields[i + 1]);
  check(size === out.headerListSize && size <= limits.maxHeaderListSize, `list size ${size} (reported ${out.headerListSize}) against maxHeaderListSize ${limits.maxHeaderListSize}`);
  // maxStringLength bounds the literals on the wire only: a table entry may be longer.
}

/** decodeCase runs a fresh decoder over the case's blocks, checking each, and describes the outcome (one line per block). */
export function decodeCase(c: HpackCase, onBlock?: (out: DecodedBlock, table: DynamicTableView) => void): string[] {
  const decoder = new HpackDecoder(c.limits);
  let limit = c.limits.maxTableSize;
  const lines: string[] = [];
  for (let i = 0; i < c.blocks.length; i++) {
    const setting = c.settings[i];
    if (setting !== undefined) decoder.setMaxTableSize((limit = setting));
    let out: DecodedBlock;
    try {
      out = decoder.decode(c.blocks[i]);
    } catch (err) {
      if (!(err instanceof H2Error && err.codeName === "COMPRESSION_ERROR" && err.isConnectionError)) throw new Error(`block ${i}: the decoder threw ${String(err)}`, { cause: err });
      checkTable(decoder.table);
      lines.push(`error ${err.message}`);
      return lines; // a COMPRESSION_ERROR ends the connection: the decoder is thrown away
    }
    checkTable(decoder.table);
    check(decoder.table.maxSize <= limit, `block ${i}: the table's maximum ${decoder.table.maxSize} is over our setting ${limit}`);
    checkBlock(out, c.limits);
    onBlock?.(out, decoder.table);
    lines.push(JSON.stringify([out.fields, out.neverIndexed, out.overLimit, out.headerListSize, decoder.table.size, decoder.table.maxSize]));
  }
  return lines;
}

/** checkRoundTrip decodes unmutated blocks: each gives back the encoded fields, never-indexed ones flagged, and both tables agree. */
function checkRoundTrip(steps: Step[]): void {
  const valid: HpackCase = { blocks: steps.map((s) => s.block), settings: steps.map((s) => s.setting), limits: { maxTableSize: 4096, maxHeaderListSize: 1 << 20, maxFieldCount: 100 } };
  let i = 0;
  try {
    decodeCase(valid, (out, table) => {
      const step = steps[i++];
      check(JSON.stringify(table.entries()) === step.table, `after block ${i - 1} the decoder's table is ${JSON.stringify(table.entries())}, the encoder's ${step.table}`);
      check(JSON.stringify(out.fields) === JSON.stringify(step.fields), `block ${i - 1} decoded to ${JSON.stringify(out.fields)}, not ${JSON.stringify(step.fields)}`);
      step.neverIndex.forEach((flagged, f) => check(!flagged || out.neverIndexed?.[f] === true, `block ${i - 1} field ${f} lost its never-indexed flag`));
    });
    check(i === steps.length, `only ${i} of ${steps.length} valid blocks decoded`);
  } catch (err) {
    throw new Error(`the encoder's own blocks: ${(err as Error).message}\n${describeCase(valid)}`, { cause: err });
  }
}

/** HpackStats counts what a run did: cases ending in a COMPRESSION_ERROR, blocks over a limit, cases decoded to the end. */
export interface HpackStats {
  iterations: number;
  errors: number;
  overLimit: number;
  clean: number;
}

function describeCase(c: HpackCase): string {
  return `limits ${JSON.stringify(c.limits)}, settings ${JSON.stringify(c.settings)}, blocks ${c.blocks.map((b) => b.toString("hex")).join(" ")}`;
}

/** hpackCase makes one input: mutated valid blocks (after checking the valid ones decode back) or random bytes. */
function hpackCase(rand: () => number): HpackCase {
  if (rand() < 0.25) {
    const blocks = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => randomBytes(rand, Math.floor(rand() * 64)));
    return { blocks, settings: blocks.map(() => undefined), limits: randomLimits(rand) };
  }
  const steps = encodeSteps(rand);
  checkRoundTrip(steps);
  return mutateCase(steps, rand);
}

/** fuzzHpack runs `iterations` cases (or until `deadline`, ms since epoch), throwing on the first property violation. */
export function fuzzHpack(seed: number, iterations: number, deadline = Infinity): HpackStats {
  const rand = mulberry32(seed);
  const stats: HpackStats = { iterations: 0, errors: 0, overLimit: 0, clean: 0 };
  for (let i = 0; i < iterations && Date.now() < deadline; i++) {
    stats.iterations++;
    const started = Date.now();
    let c: HpackCase | undefined;
    let first: string[], second: string[];
    try {
      c = hpackCase(rand);
      first = decodeCase(c);
      second = decodeCase(c);
    } catch (err) {
      throw new Error(`seed ${seed} case ${i}: ${(err as Error).message}${c === undefined ? "" : `\n${describeCase(c)}`}`, { cause: err });
    }
    const took = Date.now() - started;
    if (took > CASE_MS) throw new Error(`seed ${seed} case ${i}: took ${took} ms\n${describeCase(c)}`);
    if (first.join("\n") !== second.join("\n")) throw new Error(`seed ${seed} case ${i}: two fresh decoders disagree\n${describeCase(c)}\n${first.join("\n")}\n---\n${second.join("\n")}`);
    if (first.at(-1)?.startsWith("error ") === true) stats.errors++;
    else stats.clean++;
    stats.overLimit += first.filter((line) => !line.startsWith("error ") && JSON.parse(line)[2] !== null).length;
  }
  return stats;
}
