// serveStatic byte ranges (RFC 9110 §14): single ranges of each form, multipart/
// byteranges, If-Range, 416 with "bytes */SIZE", malformed Range ignored, and no
// compression on a range. Bodies are compared byte for byte with the file.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { parseMultipart, sliceFor } from "../support/byteranges.js";
import { bytesOf, curl, FIXED_MTIME, makeTree, normalizeMediaType, rawRequest, startStatic, textOf, type StaticServer, type TempTree } from "../support/static-fixture.js";

const BIN = bytesOf(10_000, 7);
const SIZE = BIN.length;
const TEXT = textOf(8_000, "ranges");

describe("serveStatic ranges", () => {
  let tree: TempTree;
  let site: StaticServer;
  let etag: string;

  before(async () => {
    tree = await makeTree({
      "site/data.bin": BIN,
      "site/page.txt": TEXT,
      "site/pre.css": TEXT,
      "site/pre.css.gz": gzipSync(Buffer.from(TEXT)),
      "site/empty.bin": Buffer.alloc(0),
    });
    site = await startStatic({ root: tree.root });
    etag = (await rawRequest(site.port, "/data.bin")).response.get("etag")!;
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  const single: Array<[string, number, number]> = [
    ["bytes=0-99", 0, 99],
    ["bytes=100-", 100, SIZE - 1],
    ["bytes=-50", SIZE - 50, SIZE - 1],
    ["bytes=0-0", 0, 0],
    ["bytes=0-", 0, SIZE - 1],
    [`bytes=${SIZE - 10}-${SIZE + 500}`, SIZE - 10, SIZE - 1],
    [`bytes=-${SIZE * 2}`, 0, SIZE - 1],
    [`bytes=${SIZE - 1}-${SIZE - 1}`, SIZE - 1, SIZE - 1],
    ["BYTES=10-19", 10, 19],
  ];
  for (const [range, first, last] of single) {
    it(`${range} → 206 with bytes ${first}-${last}/${SIZE}`, async () => {
      const answer = await rawRequest(site.port, "/data.bin", { headers: { range } });
      const { response } = answer;
      assert.equal(response.status, 206);
      assert.equal(response.get("content-range"), `bytes ${first}-${last}/${SIZE}`);
      assert.equal(response.get("content-length"), String(last - first + 1));
      assert.ok(response.body.equals(BIN.subarray(first, last + 1)), "body is not the requested slice");
      assert.equal(answer.afterHead.length, last - first + 1, "extra bytes after the body");
      assert.equal(response.get("accept-ranges"), "bytes");
      assert.equal(normalizeMediaType(response.get("content-type")), "application/octet-stream");
    });
  }

  it("several ranges → 206 multipart/byteranges with one correct part per range", async () => {
    const { response } = await rawRequest(site.port, "/data.bin", { headers: { range: "bytes=0-9,200-299,-5" } });
    assert.equal(response.status, 206);
    const type = response.get("content-type") ?? "";
    assert.match(type, /^multipart\/byteranges;\s*boundary=/i);
    assert.equal(response.get("content-range"), undefined, "a multipart response has no top-level Content-Range");
    const boundary = /boundary=("?)([^";]+)\1/i.exec(type)![2];
    const parts = parseMultipart(response.body, boundary);
    assert.deepEqual(
      parts.map((p) => p.contentRange),
      ["bytes 0-9/10000", "bytes 200-299/10000", "bytes 9995-9999/10000"],
    );
    for (const part of parts) {
      assert.equal(normalizeMediaType(part.contentType), "application/octet-stream");
      const { slice } = sliceFor(part.contentRange, BIN);
      assert.ok(part.body.equals(slice), `part ${part.contentRange} has the wrong bytes`);
    }
  });

  it("multipart parts carry the file's Content-Type and survive curl", async () => {
    const c = await curl(["-D", "-", "-r", "0-4,10-14", `${site.base}/page.txt`]);
    assert.equal(c.code, 0, c.stderr);
    const text = c.stdout.toString("latin1");
    const headEnd = text.indexOf("\r\n\r\n");
    const type = /^content-type:\s*(.*)$/im.exec(text.slice(0, headEnd))?.[1]?.trim() ?? "";
    const boundary = /boundary=("?)([^";]+)\1/i.exec(type)?.[2];
    assert.ok(boundary, `Content-Type ${type}`);
    const parts = parseMultipart(c.stdout.subarray(headEnd + 4), boundary);
    assert.equal(parts.length, 2);
    const file = Buffer.from(TEXT);
    for (const part of parts) {
      assert.equal(normalizeMediaType(part.contentType), "text/plain;charset=utf-8");
      assert.ok(part.body.equals(sliceFor(part.contentRange, file).slice));
    }
  });

  it("a satisfiable range among unsatisfiable ones is served alone", async () => {
    const { response } = await rawRequest(site.port, "/data.bin", { headers: { range: `bytes=${SIZE + 10}-${SIZE + 20},5-9` } });
    assert.equal(response.status, 206);
    const type = response.get("content-type") ?? "";
    const parts = /^multipart\/byteranges/i.test(type)
      ? parseMultipart(response.body, /boundary=("?)([^";]+)\1/i.exec(type)![2])
      : [{ contentType: type, contentRange: response.get("content-range"), body: response.body }];
    assert.equal(parts.length, 1);
    assert.equal(parts[0].contentRange, `bytes 5-9/${SIZE}`);
    assert.ok(parts[0].body.equals(BIN.subarray(5, 10)));
  });

  for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 5}-${SIZE + 10}`, `bytes=${SIZE}-${SIZE},${SIZE + 1}-`]) {
    it(`${range} → 416 with Content-Range: bytes */${SIZE}`, async () => {
      const { response } = await rawRequest(site.port, "/data.bin", { headers: { range } });
      assert.equal(response.status, 416);
      assert.equal(response.get("content-range"), `bytes */${SIZE}`);
      assert.ok(!response.body.equals(BIN), "a 416 carries the file");
    });
  }

  for (const range of ["bytes=abc", "bytes=", "bytes=--5", "bytes=1-2-3", "bytes=0x10-20", "bytes 0-5", "items=0-5", "bytes=-", "bytes=+1-5", "bytes=1.5-3"]) {
    it(`malformed Range ${JSON.stringify(range)} is ignored: 200 with the whole file`, async () => {
      const { response } = await rawRequest(site.port, "/data.bin", { headers: { range } });
      assert.equal(response.status, 200);
      assert.ok(response.body.equals(BIN));
      assert.equal(response.get("content-range"), undefined);
    });
  }

  it("a range with last < first is never served as a range", async () => {
    const { response } = await rawRequest(site.port, "/data.bin", { headers: { range: "bytes=50-10" } });
    assert.ok(response.status === 200 || response.status === 416, `status ${response.status}`);
    if (response.status === 200) assert.ok(response.body.equals(BIN));
  });

  it("many overlapping ranges do not amplify the response", async () => {
    const range = `bytes=${Array.from({ length: 200 }, () => "0-").join(",")}`;
    const { response } = await rawRequest(site.port, "/data.bin", { headers: { range } });
    assert.ok([200, 206, 416].includes(response.status), `status ${response.status}`);
    assert.ok(response.body.length < 3 * SIZE, `${response.body.length} body bytes for a ${SIZE}-byte file`);
  });

  it("an empty file: 200 with no body, and a range is not satisfiable", async () => {
    const full = await rawRequest(site.port, "/empty.bin");
    assert.equal(full.response.status, 200);
    assert.equal(full.response.get("content-length"), "0");
    assert.equal(full.afterHead.length, 0);
    const { response } = await rawRequest(site.port, "/empty.bin", { headers: { range: "bytes=0-" } });
    assert.ok(response.status === 416 || response.status === 200, `status ${response.status}`);
    if (response.status === 416) assert.equal(response.get("content-range"), "bytes */0");
    else assert.equal(response.body.length, 0);
  });

  describe("If-Range", () => {
    it("uses a strong ETag, so If-Range can match it", () => {
      assert.match(etag, /^"/, `ETag ${etag} is weak`);
    });
    const cases: Array<[string, () => string, number]> = [
      ["the current ETag", () => etag, 206],
      ["a stale ETag", () => '"stale-etag"', 200],
      ["a weak form of the ETag (strong comparison fails)", () => `W/${etag}`, 200],
      ["the Last-Modified date", () => FIXED_MTIME.toUTCString(), 206],
      ["an earlier date", () => new Date(FIXED_MTIME.getTime() - 3600_000).toUTCString(), 200],
    ];
    for (const [label, value, status] of cases) {
      it(`If-Range with ${label} → ${status}`, async () => {
        const { response } = await rawRequest(site.port, "/data.bin", { headers: { range: "bytes=10-19", "if-range": value() } });
        assert.equal(response.status, status);
        if (status === 206) assert.ok(response.body.equals(BIN.subarray(10, 20)));
        else assert.ok(response.body.equals(BIN), "a failed If-Range must give the whole file");
      });
    }
  });

  it("Accept-Ranges: bytes on full responses, GET and HEAD", async () => {
    for (const method of ["GET", "HEAD"]) {
      for (const target of ["/data.bin", "/page.txt"]) {
        const { response } = await rawRequest(site.port, target, { method });
        assert.equal(response.status, 200);
        assert.equal(response.get("accept-ranges"), "bytes", `${method} ${target}`);
      }
    }
  });

  it("a range of a compressible file is never compressed, even when the client accepts it", async () => {
    const file = Buffer.from(TEXT);
    for (const target of ["/page.txt", "/pre.css"]) {
      for (const range of ["bytes=100-2099", "bytes=0-9,50-59"]) {
        const { response } = await rawRequest(site.port, target, { headers: { range, "accept-encoding": "br, gzip" } });
        assert.equal(response.status, 206, `${target} ${range}`);
        assert.equal(response.get("content-encoding"), undefined, `${target} ${range} came compressed`);
        const type = response.get("content-type") ?? "";
        if (/^multipart\/byteranges/i.test(type)) {
          for (const part of parseMultipart(response.body, /boundary=("?)([^";]+)\1/i.exec(type)![2])) {
            assert.ok(part.body.equals(sliceFor(part.contentRange, file).slice), `${target} ${range}`);
          }
        } else {
          assert.ok(response.body.equals(sliceFor(response.get("content-range"), file).slice), `${target} ${range}`);
        }
      }
    }
  });

  it("curl -r and fetch with Range get the exact bytes", async () => {
    const c = await curl(["-r", "1000-1999", `${site.base}/data.bin`]);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(c.stdout.equals(BIN.subarray(1000, 2000)));
    const res = await fetch(`${site.base}/data.bin`, { headers: { range: "bytes=-300" } });
    assert.equal(res.status, 206);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(BIN.subarray(SIZE - 300)));
  });
});
