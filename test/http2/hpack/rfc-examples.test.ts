// RFC 7541 Appendix C.2 to C.6 as tables: the RFC's hex decodes to its header lists and table
// states, and the encoder, with the RFC's policy (index everything), writes the same hex.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HpackDecoder } from "../../../src/http2/hpack/hpack-decoder.js";
import { HpackEncoder } from "../../../src/http2/hpack/hpack-encoder.js";

interface Step {
  hex: string;
  fields: string[];
  /** the dynamic table after the block, newest first, as "name: value" */
  table: string[];
  tableSize: number;
  /** flags of a never-indexed field, when the block has one */
  neverIndexed?: boolean[];
}

interface Sequence {
  name: string;
  maxTableSize: number;
  huffman: "always" | "never";
  /** names the example sends without indexing */
  noIndexNames?: string[];
  steps: Step[];
}

const request1 = [":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"];
const request2 = [...request1, "cache-control", "no-cache"];
const request3 = [":method", "GET", ":scheme", "https", ":path", "/index.html", ":authority", "www.example.com", "custom-key", "custom-value"];
const date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
const date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
const cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const response1 = [":status", "302", "cache-control", "private", "date", date1, "location", "https://www.example.com"];
const response2 = [":status", "307", "cache-control", "private", "date", date1, "location", "https://www.example.com"];
const response3 = [
  ":status", "200", "cache-control", "private", "date", date2, "location", "https://www.example.com", "content-encoding", "gzip",
  "set-cookie", cookie,
];
const requestTables = [
  [":authority: www.example.com"],
  ["cache-control: no-cache", ":authority: www.example.com"],
  ["custom-key: custom-value", "cache-control: no-cache", ":authority: www.example.com"],
];
const responseTables = [
  ["location: https://www.example.com", `date: ${date1}`, "cache-control: private", ":status: 302"],
  [":status: 307", "location: https://www.example.com", `date: ${date1}`, "cache-control: private"],
  [`set-cookie: ${cookie}`, "content-encoding: gzip", `date: ${date2}`],
];

const sequences: Sequence[] = [
  {
    name: "C.2.1 literal with indexing", maxTableSize: 4096, huffman: "never",
    steps: [{ hex: "400a637573746f6d2d6b65790d637573746f6d2d686561646572", fields: ["custom-key", "custom-header"], table: ["custom-key: custom-header"], tableSize: 55 }],
  },
  {
    name: "C.2.2 literal without indexing", maxTableSize: 4096, huffman: "never", noIndexNames: [":path"],
    steps: [{ hex: "040c2f73616d706c652f70617468", fields: [":path", "/sample/path"], table: [], tableSize: 0 }],
  },
  {
    name: "C.2.3 literal never indexed", maxTableSize: 4096, huffman: "never",
    steps: [{ hex: "100870617373776f726406736563726574", fields: ["password", "secret"], table: [], tableSize: 0, neverIndexed: [true] }],
  },
  {
    name: "C.2.4 indexed field", maxTableSize: 4096, huffman: "never",
    steps: [{ hex: "82", fields: [":method", "GET"], table: [], tableSize: 0 }],
  },
  {
    name: "C.3 requests without Huffman", maxTableSize: 4096, huffman: "never",
    steps: [
      { hex: "828684410f7777772e6578616d706c652e636f6d", fields: request1, table: requestTables[0], tableSize: 57 },
      { hex: "828684be58086e6f2d6361636865", fields: request2, table: requestTables[1], tableSize: 110 },
      { hex: "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565", fields: request3, table: requestTables[2], tableSize: 164 },
    ],
  },
  {
    name: "C.4 requests with Huffman", maxTableSize: 4096, huffman: "always",
    steps: [
      { hex: "828684418cf1e3c2e5f23a6ba0ab90f4ff", fields: request1, table: requestTables[0], tableSize: 57 },
      { hex: "828684be5886a8eb10649cbf", fields: request2, table: requestTables[1], tableSize: 110 },
      { hex: "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", fields: request3, table: requestTables[2], tableSize: 164 },
    ],
  },
  {
    name: "C.5 responses without Huffman (table of 256)", maxTableSize: 256, huffman: "never",
    steps: [
      {
        hex: "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e17687474" +
          "70733a2f2f7777772e6578616d706c652e636f6d",
        fields: response1, table: responseTables[0], tableSize: 222,
      },
      { hex: "4803333037c1c0bf", fields: response2, table: responseTables[1], tableSize: 222 },
      {
        hex: "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d415344" +
          "4a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
        fields: response3, table: responseTables[2], tableSize: 215,
      },
    ],
  },
  {
    name: "C.6 responses with Huffman (table of 256)", maxTableSize: 256, huffman: "always",
    steps: [
      {
        hex: "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
        fields: response1, table: responseTables[0], tableSize: 222,
      },
      { hex: "4883640effc1c0bf", fields: response2, table: responseTables[1], tableSize: 222 },
      {
        hex: "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b39" +
          "60d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
        fields: response3, table: responseTables[2], tableSize: 215,
      },
    ],
  },
];

function tableOf(view: { entries(): [string, string][] }): string[] {
  return view.entries().map(([name, value]) => `${name}: ${value}`);
}

// The encoder starts from the protocol's 4096 octets, so a smaller table is signalled first: an
// update to 256 is 3f e1 01, a prefix the RFC's examples (which assume 256 from the start) omit.
function sizeUpdatePrefix(maxTableSize: number): string {
  return maxTableSize === 4096 ? "" : "3fe101";
}

describe("RFC 7541 Appendix C examples", () => {
  for (const seq of sequences) {
    it(`${seq.name}: the decoder reads the RFC's hex`, () => {
      const decoder = new HpackDecoder({ maxTableSize: seq.maxTableSize, maxHeaderListSize: 65536, maxFieldCount: 100 });
      seq.steps.forEach((step, i) => {
        const result = decoder.decode(Buffer.from(step.hex, "hex"));
        assert.deepEqual(result.fields, step.fields, `block ${i + 1}`);
        assert.equal(result.overLimit, null);
        assert.deepEqual(result.neverIndexed, step.neverIndexed ?? null);
        assert.deepEqual(tableOf(decoder.table), step.table, `table after block ${i + 1}`);
        assert.equal(decoder.table.size, step.tableSize, `table size after block ${i + 1}`);
      });
    });
    it(`${seq.name}: the encoder writes the RFC's hex and the decoder reads it back`, () => {
      const encoder = new HpackEncoder({ maxTableSize: seq.maxTableSize, huffman: seq.huffman, noIndexNames: seq.noIndexNames ?? [], maxIndexedEntrySize: 4096 });
      const decoder = new HpackDecoder({ maxTableSize: seq.maxTableSize, maxHeaderListSize: 65536, maxFieldCount: 100 });
      seq.steps.forEach((step, i) => {
        const block = encoder.encode(step.fields, step.neverIndexed ?? null);
        assert.equal(block.toString("hex"), (i === 0 ? sizeUpdatePrefix(seq.maxTableSize) : "") + step.hex, `block ${i + 1}`);
        assert.deepEqual(tableOf(encoder.table), step.table, `encoder table after block ${i + 1}`);
        assert.equal(encoder.table.size, step.tableSize);
        const result = decoder.decode(block);
        assert.deepEqual(result.fields, step.fields);
        assert.equal(decoder.table.size, step.tableSize);
      });
    });
  }
  it("the default huffman (\"auto\") is never longer: C.4 exactly, C.6 raw where Huffman does not shrink (\"307\")", () => {
    for (const seq of sequences.filter((s) => s.huffman === "always")) {
      const encoder = new HpackEncoder({ maxTableSize: seq.maxTableSize, noIndexNames: [], maxIndexedEntrySize: 4096 });
      const decoder = new HpackDecoder({ maxTableSize: seq.maxTableSize, maxHeaderListSize: 65536, maxFieldCount: 100 });
      seq.steps.forEach((step, i) => {
        const block = encoder.encode(step.fields);
        const rfc = (i === 0 ? sizeUpdatePrefix(seq.maxTableSize) : "") + step.hex;
        if (seq.name.startsWith("C.4") || i !== 1) assert.equal(block.toString("hex"), rfc);
        else assert.equal(block.toString("hex"), "4803333037c1c0bf", "3 raw octets rather than 3 Huffman ones");
        assert.deepEqual(decoder.decode(block).fields, step.fields);
      });
    }
  });
});
