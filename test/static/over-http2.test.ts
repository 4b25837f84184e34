// serveStatic over HTTP/2 (h2c and h2 over TLS, node:http2 as the client): the cases of
// ranges.test.ts, headers.test.ts, compression.test.ts and listing.test.ts whose behaviour is
// meant to be the same on every protocol: single and multipart ranges, If-Range, 304s, brotli and
// gzip, listings, 404/405, HEAD, and a file larger than every flow-control window.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { serveStatic, type Server } from "../../src/index.js";
import { boundaryOf, parseMultipart, sliceFor } from "../support/byteranges.js";
import { H2Client, h2Targets, type H2Reply } from "../support/h2-fetch.js";
import { startServer } from "../support/server.js";
import { anchorsOf, bytesOf, FIXED_MTIME, makeTree, normalizeMediaType, textOf, type TempTree } from "../support/static-fixture.js";

const BIN = bytesOf(10_000, 7);
const SIZE = BIN.length;
const JS = textOf(20_000, "app");
const LARGE = bytesOf(3 << 20, 11); // past the 64 KiB connection window and 256 KiB stream window

const targets = h2Targets();

/** decoded undoes the reply's Content-Encoding. */
function decoded(r: H2Reply): string {
  const encoding = r.get("content-encoding");
  if (encoding === "gzip") return gunzipSync(r.body).toString("utf8");
  if (encoding === "br") return brotliDecompressSync(r.body).toString("utf8");
  assert.equal(encoding, undefined);
  return r.text;
}

describe("serveStatic over HTTP/2", () => {
  let tree: TempTree;
  before(async () => {
    tree = await makeTree({
      "site/data.bin": BIN,
      "site/app.js": JS,
      "site/large.bin": LARGE,
      "site/list/one.txt": "one\n",
      "site/list/two & three.txt": "two\n",
    });
  });
  after(async () => {
    await tree.remove();
    targets.remove();
  });

  for (const target of targets.list) {
    describe(target.name, () => {
      let server: Server;
      let client: H2Client;
      let etag: string;
      before(async () => {
        server = await startServer({ ...target.options, fetch: serveStatic({ root: tree.root }), logger: () => {} });
        client = await H2Client.connect(target.origin(server.port));
        etag = (await client.request("/data.bin", { method: "HEAD" })).get("etag")!;
      });
      after(async () => {
        client.destroy();
        await server.stop(true);
      });

      it("a whole file: 200 with its length, validators and Accept-Ranges; HEAD has the same fields and no body", async () => {
        const get = await client.request("/data.bin");
        assert.equal(get.status, 200);
        assert.ok(get.body.equals(BIN));
        assert.equal(get.get("content-length"), String(SIZE));
        assert.equal(get.get("accept-ranges"), "bytes");
        assert.equal(get.get("last-modified"), FIXED_MTIME.toUTCString());
        assert.match(etag, /^"/);
        const head = await client.request("/data.bin", { method: "HEAD" });
        assert.equal(head.status, 200);
        assert.equal(head.body.length, 0);
        for (const name of ["content-length", "etag", "last-modified", "content-type"]) assert.equal(head.get(name), get.get(name), name);
      });

      it("a file larger than every window arrives whole", async () => {
        const r = await client.request("/large.bin");
        assert.equal(r.status, 200);
        assert.ok(r.body.equals(LARGE));
      });

      for (const [range, first, last] of [["bytes=0-99", 0, 99], ["bytes=-50", SIZE - 50, SIZE - 1], ["bytes=9000-", 9000, SIZE - 1]] as const) {
        it(`Range ${range} → 206 with Content-Range bytes ${first}-${last}/${SIZE}`, async () => {
          const r = await client.request("/data.bin", { headers: { range } });
          assert.equal(r.status, 206);
          assert.equal(r.get("content-range"), `bytes ${first}-${last}/${SIZE}`);
          assert.equal(r.get("content-length"), String(last - first + 1));
          assert.ok(r.body.equals(BIN.subarray(first, last + 1)));
        });
      }

      it("several ranges → 206 multipart/byteranges, one correct part per range", async () => {
        const r = await client.request("/data.bin", { headers: { range: "bytes=0-9,200-299,-5" } });
        assert.equal(r.status, 206);
        const type = r.get("content-type") ?? "";
        assert.match(type, /^multipart\/byteranges/i);
        const parts = parseMultipart(r.body, boundaryOf(type));
        assert.deepEqual(parts.map((p) => p.contentRange), ["bytes 0-9/10000", "bytes 200-299/10000", "bytes 9995-9999/10000"]);
        for (const part of parts) assert.ok(part.body.equals(sliceFor(part.contentRange, BIN).slice), part.contentRange);
        assert.equal(r.get("content-length"), String(r.body.length));
      });

      it("an unsatisfiable range → 416 with Content-Range bytes */SIZE", async () => {
        const r = await client.request("/data.bin", { headers: { range: `bytes=${SIZE}-` } });
        assert.equal(r.status, 416);
        assert.equal(r.get("content-range"), `bytes */${SIZE}`);
      });

      it("If-Range: the current ETag gives the range, a stale one the whole file", async () => {
        const hit = await client.request("/data.bin", { headers: { range: "bytes=10-19", "if-range": etag } });
        assert.equal(hit.status, 206);
        assert.ok(hit.body.equals(BIN.subarray(10, 20)));
        const miss = await client.request("/data.bin", { headers: { range: "bytes=10-19", "if-range": '"stale"' } });
        assert.equal(miss.status, 200);
        assert.ok(miss.body.equals(BIN));
      });

      it("If-None-Match and If-Modified-Since → 304 without a body, repeating the ETag; If-Match mismatch → 412", async () => {
        for (const headers of [{ "if-none-match": etag }, { "if-modified-since": FIXED_MTIME.toUTCString() }] as Record<string, string>[]) {
          const r = await client.request("/data.bin", { headers });
          assert.equal(r.status, 304, JSON.stringify(headers));
          assert.equal(r.body.length, 0);
          assert.equal(r.get("etag"), etag);
        }
        assert.equal((await client.request("/data.bin", { headers: { "if-none-match": '"other"' } })).status, 200);
        assert.equal((await client.request("/data.bin", { headers: { "if-match": '"other"' } })).status, 412);
      });

      for (const [accept, encoding] of [["br, gzip", "br"], ["gzip", "gzip"], ["identity", undefined]] as const) {
        it(`Accept-Encoding ${accept} → ${encoding ?? "identity"}, with Vary`, async () => {
          const r = await client.request("/app.js", { headers: { "accept-encoding": accept } });
          assert.equal(r.status, 200);
          assert.equal(r.get("content-encoding"), encoding);
          assert.equal(decoded(r), JS);
          assert.match(r.get("vary") ?? "", /accept-encoding/i);
          assert.equal(normalizeMediaType(r.get("content-type")), "text/javascript;charset=utf-8");
        });
      }

      it("a range of a compressible file is never compressed", async () => {
        const r = await client.request("/app.js", { headers: { range: "bytes=100-199", "accept-encoding": "br, gzip" } });
        assert.equal(r.status, 206);
        assert.equal(r.get("content-encoding"), undefined);
        assert.equal(r.text, JS.slice(100, 200));
      });

      it("a directory without index: an HTML listing whose links fetch the files; no slash redirects", async () => {
        const redirect = await client.request("/list");
        assert.equal(redirect.status, 301);
        assert.equal(redirect.get("location"), "/list/");
        const page = await client.request("/list/");
        assert.equal(page.status, 200);
        assert.match(page.get("content-type") ?? "", /^text\/html/);
        const files = anchorsOf(page.text).filter((a) => a.text.endsWith(".txt"));
        assert.deepEqual(files.map((a) => a.text).sort(), ["one.txt", "two & three.txt"]);
        for (const a of files) {
          const r = await client.request(new URL(a.href, "http://x/list/").pathname);
          assert.equal(r.status, 200, a.href);
          assert.equal(r.text, a.text === "one.txt" ? "one\n" : "two\n");
        }
      });

      it("404 for a missing file; 405 with Allow for POST", async () => {
        assert.equal((await client.request("/nope.txt")).status, 404);
        const post = await client.request("/data.bin", { method: "POST", body: "x" });
        assert.equal(post.status, 405);
        assert.match(post.get("allow") ?? "", /GET/);
      });
    });
  }
});
