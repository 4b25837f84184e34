// FileCache: one stat per path per event-loop turn. Lookups in the same turn share an answer;
// the next turn stats again, so a change is seen by the next request that arrives.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { FileCache, type Lookup } from "../../src/static/file-cache.js";

const root = mkdtempSync(join(tmpdir(), "sockserve-file-cache-"));
after(() => rmSync(root, { recursive: true, force: true }));

const newCache = (): FileCache => new FileCache({ root, followSymlinks: false, smallFileSize: 1024, maxCachedBytes: 1 << 20, maxEntries: 100 });
const etagOf = (found: Lookup): string => (found.kind === "file" ? found.entry.identity.etag : found.kind);

describe("FileCache lookups and event-loop turns", () => {
  it("shares one answer within a turn and sees an edit in the next turn", async () => {
    const file = join(root, "edit.txt");
    writeFileSync(file, "one");
    const cache = newCache();
    const first = cache.lookup(file);
    assert.equal(first.kind, "file");
    writeFileSync(file, "three"); // same turn: the earlier answer stands
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(etagOf(cache.lookup(file)), etagOf(first), "same turn, same answer");
    await nextTurn();
    const second = cache.lookup(file);
    assert.equal(second.kind, "file");
    assert.notEqual(etagOf(second), etagOf(first), "next turn, new version");
    assert.equal(second.kind === "file" ? second.entry.stats.size : -1, 5);
  });

  it("sees a file removed and created across turns", async () => {
    const file = join(root, "comes-and-goes.txt");
    const cache = newCache();
    assert.equal(cache.lookup(file).kind, "missing");
    writeFileSync(file, "here");
    assert.equal(cache.lookup(file).kind, "missing", "same turn");
    await nextTurn();
    assert.equal(cache.lookup(file).kind, "file");
    unlinkSync(file);
    await nextTurn();
    assert.equal(cache.lookup(file).kind, "missing");
  });

  it("keeps the entry of an unchanged file from turn to turn", async () => {
    const file = join(root, "steady.txt");
    writeFileSync(file, "steady");
    const cache = newCache();
    const first = cache.lookup(file);
    await nextTurn();
    const second = cache.lookup(file);
    assert.ok(first.kind === "file" && second.kind === "file");
    assert.equal(second.entry, first.entry, "the same entry object, with its precomputed fields");
  });

  it("answers directories and paths under a file", async () => {
    const cache = newCache();
    assert.equal(cache.lookup(root).kind, "directory");
    writeFileSync(join(root, "plain"), "x");
    assert.equal(cache.lookup(join(root, "plain", "below")).kind, "missing");
  });
});
