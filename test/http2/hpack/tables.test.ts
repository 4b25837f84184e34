// Tests of the HPACK tables: the static table's lookups (RFC 7541 Appendix A) and the dynamic
// table's sizes, eviction, size updates and ring buffer (§2.3.2, §4).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DynamicTable, entrySize } from "../../../src/http2/hpack/dynamic-table.js";
import { STATIC_TABLE, STATIC_TABLE_LENGTH, staticName } from "../../../src/http2/hpack/static-table.js";

describe("HPACK static table (Appendix A)", () => {
  it("has 61 entries, from :authority to www-authenticate", () => {
    assert.equal(STATIC_TABLE.length, STATIC_TABLE_LENGTH);
    assert.deepEqual(STATIC_TABLE[0], [":authority", ""]);
    assert.deepEqual(STATIC_TABLE[7], [":status", "200"]);
    assert.deepEqual(STATIC_TABLE[15], ["accept-encoding", "gzip, deflate"]);
    assert.deepEqual(STATIC_TABLE[60], ["www-authenticate", ""]);
  });
  const lookups: [string, string, number, number | undefined][] = [
    // name, value, name index, full-match index
    [":method", "GET", 2, 2],
    [":method", "POST", 2, 3],
    [":method", "PUT", 2, undefined],
    [":status", "200", 8, 8],
    [":status", "500", 8, 14],
    [":status", "302", 8, undefined],
    ["accept-encoding", "gzip, deflate", 16, 16],
    ["content-type", "text/html", 31, undefined],
    ["age", "", 21, 21],
    ["www-authenticate", "x", 61, undefined],
  ];
  for (const [name, value, nameIndex, fullIndex] of lookups) {
    it(`finds ${name}: ${JSON.stringify(value)} (name ${nameIndex}, field ${fullIndex ?? "none"})`, () => {
      const known = staticName(name);
      assert.equal(known?.index, nameIndex);
      assert.equal(known?.values.get(value), fullIndex);
    });
  }
  it("knows no other names (lookups are exact and case-sensitive)", () => {
    assert.equal(staticName("Content-Type"), undefined);
    assert.equal(staticName("x-custom"), undefined);
    assert.equal(staticName("constructor"), undefined);
  });
});

describe("HPACK dynamic table (§2.3.2, §4)", () => {
  it("sizes an entry as name + value + 32 octets (§4.1)", () => {
    assert.equal(entrySize("custom-key", "custom-header"), 55);
    assert.equal(entrySize("", ""), 32);
  });
  it("puts the newest entry first and counts its size", () => {
    const table = new DynamicTable(4096);
    table.add("a", "1");
    table.add("b", "22");
    assert.deepEqual(table.entries(), [["b", "22"], ["a", "1"]]);
    assert.equal(table.size, 34 + 35);
    assert.equal(table.length, 2);
    assert.equal(table.insertCount, 2);
    assert.equal(table.name(0), "b");
    assert.equal(table.value(1), "1");
  });
  it("evicts the oldest entries to make room (§4.4)", () => {
    const table = new DynamicTable(100); // room for two 34-octet entries and not three
    const evicted: string[] = [];
    const listening = new DynamicTable(100, (name, value, seq) => evicted.push(`${seq}:${name}=${value}`));
    for (const t of [table, listening]) {
      t.add("a", "1");
      t.add("b", "2");
      t.add("c", "3");
    }
    assert.deepEqual(table.entries(), [["c", "3"], ["b", "2"]]);
    assert.equal(table.size, 68);
    assert.deepEqual(evicted, ["0:a=1"]);
  });
  it("fills to exactly its maximum size", () => {
    const table = new DynamicTable(68);
    table.add("a", "1");
    table.add("b", "2");
    assert.equal(table.size, 68);
    assert.equal(table.length, 2);
  });
  it("an entry that fits evicts all else; a larger one empties the table and is not added (§4.4)", () => {
    const table = new DynamicTable(100);
    table.add("a", "1");
    assert.equal(table.add("big", "x".repeat(65)), true, "3 + 65 + 32 = 100 fits");
    assert.deepEqual(table.entries(), [["big", "x".repeat(65)]]);
    assert.equal(table.add("big", "x".repeat(66)), false);
    assert.deepEqual([table.length, table.size, table.insertCount], [0, 0, 3]);
  });
  it("a size update evicts down to the new size; 0 empties it (§4.3)", () => {
    const table = new DynamicTable(4096);
    for (let i = 0; i < 10; i++) table.add(`n${i}`, `v${i}`);
    table.setMaxSize(36 * 3);
    assert.deepEqual(table.entries(), [["n9", "v9"], ["n8", "v8"], ["n7", "v7"]]);
    table.setMaxSize(0);
    assert.equal(table.length, 0);
    assert.equal(table.size, 0);
    assert.equal(table.add("a", "b"), false, "nothing fits a table of size 0");
    table.setMaxSize(4096);
    table.add("a", "b");
    assert.deepEqual(table.entries(), [["a", "b"]]);
  });
  it("keeps order across ring growth and wrap-around", () => {
    const table = new DynamicTable(34 * 40);
    const model: [string, string][] = [];
    for (let i = 0; i < 500; i++) {
      const name = String.fromCharCode(97 + (i % 26));
      const value = String(i % 10);
      table.add(name, value);
      model.unshift([name, value]);
      if (model.length > 40) model.pop();
      if (i % 37 === 0) assert.deepEqual(table.entries(), model, `after ${i + 1} adds`);
    }
    assert.deepEqual(table.entries(), model);
    assert.equal(table.size, 34 * 40);
  });
  it("reports each evicted entry's sequence number, oldest first", () => {
    const seqs: number[] = [];
    const table = new DynamicTable(34 * 2, (_n, _v, seq) => seqs.push(seq));
    for (let i = 0; i < 6; i++) table.add("a", String(i));
    table.setMaxSize(34);
    table.setMaxSize(0);
    assert.deepEqual(seqs, [0, 1, 2, 3, 4, 5]);
  });
});
