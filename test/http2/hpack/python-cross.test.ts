// Cross-checks with Debian's python3-hpack: random header lists (fixed seeds) encoded by us and
// decoded by python, and encoded by python and decoded by us, block after block, tables compared.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HpackDecoder } from "../../../src/http2/hpack/hpack-decoder.js";
import { HpackEncoder } from "../../../src/http2/hpack/hpack-encoder.js";
import { HUFFMAN_CODE_LENGTHS, HUFFMAN_CODES } from "../../../src/http2/hpack/huffman.js";
import { STATIC_TABLE } from "../../../src/http2/hpack/static-table.js";
import { mulberry32 } from "../../fuzz/mutate.js";
import { PythonPeer } from "./python-peer.js";

const BLOCKS = 300;
const names = [":status", "content-type", "cache-control", "set-cookie", "date", "server", "vary", "cookie", "authorization", "content-length", "etag", "x-a", "x-b"];
const values = ["200", "404", "text/html", "no-cache", "private, max-age=0", "accept-encoding", "sockserve", ""];

interface Listed {
  fields: string[];
  flags: boolean[];
}

function randomString(random: () => number, length: number, from: number, span: number): string {
  let str = "";
  for (let i = 0; i < length; i++) str += String.fromCharCode(from + Math.floor(random() * span));
  return str;
}

function randomValue(random: () => number): string {
  const pick = random();
  if (pick < 0.4) return values[Math.floor(random() * values.length)];
  if (pick < 0.7) return randomString(random, Math.floor(random() * 40), 0x20, 95); // printable ASCII
  if (pick < 0.95) return randomString(random, Math.floor(random() * 40), 0, 256); // any octet: long Huffman codes
  return randomString(random, 300 + Math.floor(random() * 1200), 0x20, 95); // over a quarter of the table
}

/** randomList makes a header list: names from a pool or random tokens, values of every kind, a few flagged sensitive. */
function randomList(random: () => number): Listed {
  const list: Listed = { fields: [], flags: [] };
  for (let n = Math.floor(random() * 16); n > 0; n--) {
    const name = random() < 0.8 ? names[Math.floor(random() * names.length)] : randomString(random, 1 + Math.floor(random() * 20), 0x61, 26);
    list.fields.push(name, randomValue(random));
    list.flags.push(random() < 0.1);
  }
  return list;
}

function pairs({ fields, flags }: Listed): [string, string, boolean][] {
  return flags.map((flag, i) => [fields[2 * i], fields[2 * i + 1], flag]);
}

interface PythonBlock {
  hex: string;
  table: [string, string][];
}

interface PythonList {
  fields: [string, string, boolean][];
  table: [string, string][];
}

async function withPython(run: (python: PythonPeer) => Promise<void>): Promise<void> {
  const python = new PythonPeer();
  try {
    await run(python);
  } finally {
    await python.close();
  }
}

describe("HPACK against python3-hpack (/usr/bin/python3)", () => {
  it("shares the static table (Appendix A) and the Huffman code (Appendix B)", () =>
    withPython(async (python) => {
      const tables = await python.request<{ codes: number[]; lengths: number[]; static: [string, string][] }>({ op: "tables" });
      assert.deepEqual([...HUFFMAN_CODES], tables.codes);
      assert.deepEqual([...HUFFMAN_CODE_LENGTHS], tables.lengths);
      assert.deepEqual(STATIC_TABLE, tables.static);
    }));

  for (const huffman of ["auto", "never", "always"] as const) {
    it(`our encoder (huffman ${huffman}) to python's decoder: ${BLOCKS} blocks, table sizes changing`, () =>
      withPython(async (python) => {
        const random = mulberry32(huffman.length);
        const encoder = new HpackEncoder({ huffman });
        for (let n = 0; n < BLOCKS; n++) {
          const req: Record<string, unknown> = { op: "decode" };
          if (n % 60 === 59) encoder.setMaxTableSize((req.maxTableSize = [4096, 1024, 256, 0][Math.floor(random() * 4)]!));
          const list = randomList(random);
          req.hex = encoder.encode(list.fields, list.flags).toString("hex");
          const decoded = await python.request<PythonList>(req);
          assert.deepEqual(decoded.fields.flatMap(([name, value]) => [name, value]), list.fields, `block ${n}`);
          decoded.fields.forEach(([, , never], i) => assert.ok(never || !list.flags[i], `field ${i} of block ${n} was flagged sensitive`));
          assert.deepEqual(decoded.table, encoder.table.entries(), `tables after block ${n}`);
        }
      }));
  }

  for (const huffman of [true, false]) {
    it(`python's encoder (huffman ${huffman}) to our decoder: ${BLOCKS} blocks, table sizes changing`, () =>
      withPython(async (python) => {
        const random = mulberry32(huffman ? 11 : 12);
        const decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 1 << 20, maxFieldCount: 100 });
        for (let n = 0; n < BLOCKS; n++) {
          const tableSizes = n % 50 === 49 ? [[0, 4096], [512], [2048, 100], [4096]][Math.floor(random() * 4)] : [];
          const list = randomList(random);
          const encoded = await python.request<PythonBlock>({ op: "encode", huffman, fields: pairs(list), tableSizes });
          const known = new Set([...STATIC_TABLE, ...decoder.table.entries()].map(([name, value]) => `${name}\0${value}`));
          const result = decoder.decode(Buffer.from(encoded.hex, "hex"));
          assert.equal(result.overLimit, null);
          assert.deepEqual(result.fields, list.fields, `block ${n}`);
          // python sends a sensitive field never-indexed, unless it matches a table entry in full.
          list.flags.forEach((flag, i) => {
            const key = `${list.fields[2 * i]}\0${list.fields[2 * i + 1]}`;
            const never = result.neverIndexed?.[i] === true;
            assert.ok(never ? flag : !flag || known.has(key), `never-indexed flag of field ${i}, block ${n}`);
            known.add(key);
          });
          assert.deepEqual(decoder.table.entries(), encoded.table, `tables after block ${n}`);
        }
      }));
  }

  it("a proxy's path: python's never-indexed fields stay never-indexed through our decoder and encoder", () =>
    withPython(async (python) => {
      const decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 65536, maxFieldCount: 100 });
      const encoder = new HpackEncoder();
      const list: Listed = { fields: ["x-secret", "s3cr3t", "x-plain", "p", "content-type", "text/plain"], flags: [true, false, false] };
      const encoded = await python.request<PythonBlock>({ op: "encode", huffman: true, fields: pairs(list) });
      const result = decoder.decode(Buffer.from(encoded.hex, "hex"));
      assert.deepEqual(result.neverIndexed, list.flags);
      const forwarded = await python.request<PythonList>({ op: "decode", hex: encoder.encode(result.fields, result.neverIndexed).toString("hex") });
      assert.deepEqual(forwarded.fields, pairs(list));
    }));
});
