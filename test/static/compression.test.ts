// serveStatic compression: precompressed .br/.gz sidecars, on-the-fly brotli and
// gzip above the threshold (decompressed and compared byte for byte), when not to
// compress, Vary, and one ETag per encoding with conditional requests on each.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { bytesOf, curl, makeTree, normalizeMediaType, rawRequest, startStatic, textOf, type StaticServer, type TempTree } from "../support/static-fixture.js";
import type { ParsedResponse } from "../support/http-response.js";

const BIG_JS = textOf(20_000, "app");
const BIG_CSS = textOf(6_000, "style").replace(/const/g, "color");
const SMALL_CSS = textOf(600, "small"); // below the default 1 KiB threshold
const MID_TXT = textOf(500, "mid");
// The sidecars decompress to text that differs from the original, so the test can tell
// a served sidecar from on-the-fly compression of the original.
const PRE_CSS = textOf(3_000, "pre");
const PRE_CSS_FROM_GZ = `${PRE_CSS}/* from .gz sidecar */`;
const PRE_CSS_FROM_BR = `${PRE_CSS}/* from .br sidecar */`;
const PNG_LIKE = bytesOf(50_000, 3);

/** decode undoes the response's Content-Encoding (none, gzip or br). */
function decode(response: ParsedResponse): string {
  const encoding = response.get("content-encoding");
  if (encoding === undefined) return response.body.toString("utf8");
  if (encoding === "gzip") return gunzipSync(response.body).toString("utf8");
  if (encoding === "br") return brotliDecompressSync(response.body).toString("utf8");
  throw new Error(`unexpected Content-Encoding ${encoding}`);
}

/** varyHas tells whether the Vary field names Accept-Encoding. */
const varyHas = (response: ParsedResponse) => (response.get("vary") ?? "").split(",").some((v) => v.trim().toLowerCase() === "accept-encoding");

describe("serveStatic compression", () => {
  let tree: TempTree;
  let site: StaticServer;

  before(async () => {
    tree = await makeTree({
      "site/app.js": BIG_JS,
      "site/big.css": BIG_CSS,
      "site/small.css": SMALL_CSS,
      "site/mid.txt": MID_TXT,
      "site/pre.css": PRE_CSS,
      "site/pre.css.gz": gzipSync(Buffer.from(PRE_CSS_FROM_GZ)),
      "site/pre.css.br": brotliCompressSync(Buffer.from(PRE_CSS_FROM_BR)),
      "site/gzonly.js": PRE_CSS,
      "site/gzonly.js.gz": gzipSync(Buffer.from(PRE_CSS_FROM_GZ)),
      "site/photo.png": PNG_LIKE,
    });
    site = await startStatic({ root: tree.root });
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  describe("on the fly", () => {
    const table: Array<[string, string | undefined, string | undefined]> = [
      ["br, gzip", "br", "br preferred"],
      ["gzip, deflate, br", "br", "br preferred whatever the order"],
      ["gzip", "gzip", "gzip when br is not accepted"],
      ["br;q=0, gzip", "gzip", "q=0 refuses br"],
      ["gzip;q=0, br", "br", "q=0 refuses gzip"],
      ["identity", undefined, "identity only"],
      ["br;q=0, gzip;q=0", undefined, "both refused"],
      ["", undefined, "empty Accept-Encoding"],
      ["deflate", undefined, "only an unsupported coding"],
      ["GZIP", "gzip", "codings are case-insensitive"],
    ];
    for (const [accept, expected, label] of table) {
      it(`Accept-Encoding ${JSON.stringify(accept)} → ${expected ?? "identity"} (${label})`, async () => {
        const { response } = await rawRequest(site.port, "/app.js", { headers: { "accept-encoding": accept } });
        assert.equal(response.status, 200);
        assert.equal(response.get("content-encoding"), expected);
        assert.equal(decode(response), BIG_JS, "decoded body differs from the file");
        assert.equal(normalizeMediaType(response.get("content-type")), "text/javascript;charset=utf-8");
        assert.ok(varyHas(response), `Vary: ${response.get("vary")}`);
        if (expected) assert.ok(response.body.length < Buffer.byteLength(BIG_JS) / 2, "the compressed body is not smaller");
      });
    }

    it("without Accept-Encoding the file is sent as is, with Vary", async () => {
      const { response } = await rawRequest(site.port, "/big.css");
      assert.equal(response.get("content-encoding"), undefined);
      assert.equal(response.text, BIG_CSS);
      assert.equal(response.get("content-length"), String(Buffer.byteLength(BIG_CSS)));
      assert.ok(varyHas(response), `Vary: ${response.get("vary")}`);
    });

    it("a file below the threshold is not compressed", async () => {
      const { response } = await rawRequest(site.port, "/small.css", { headers: { "accept-encoding": "br, gzip" } });
      assert.equal(response.get("content-encoding"), undefined);
      assert.equal(response.text, SMALL_CSS);
    });

    it("a type that is not compressible is not compressed", async () => {
      const { response } = await rawRequest(site.port, "/photo.png", { headers: { "accept-encoding": "br, gzip" } });
      assert.equal(response.get("content-encoding"), undefined);
      assert.ok(response.body.equals(PNG_LIKE));
    });

    it("compressThreshold lowers the threshold", async () => {
      const low = await startStatic({ root: tree.root, compressThreshold: 100 });
      try {
        const { response } = await rawRequest(low.port, "/mid.txt", { headers: { "accept-encoding": "gzip" } });
        assert.equal(response.get("content-encoding"), "gzip");
        assert.equal(decode(response), MID_TXT);
        const def = await rawRequest(site.port, "/mid.txt", { headers: { "accept-encoding": "gzip" } });
        assert.equal(def.response.get("content-encoding"), undefined, "500 bytes compressed under the default threshold");
      } finally {
        await low.stop();
      }
    });

    it("compress: false sends the file as is", async () => {
      const plain = await startStatic({ root: tree.root, compress: false });
      try {
        const { response } = await rawRequest(plain.port, "/app.js", { headers: { "accept-encoding": "br, gzip" } });
        assert.equal(response.get("content-encoding"), undefined);
        assert.equal(response.text, BIG_JS);
      } finally {
        await plain.stop();
      }
    });

    it("HEAD of a compressed response has GET's headers and no body", async () => {
      const headers = { "accept-encoding": "gzip" };
      const get = await rawRequest(site.port, "/app.js", { headers });
      const head = await rawRequest(site.port, "/app.js", { method: "HEAD", headers });
      assert.equal(head.response.get("content-encoding"), "gzip");
      assert.equal(head.response.get("etag"), get.response.get("etag"));
      assert.equal(head.afterHead.length, 0);
    });

    it("fetch decompresses to the exact file and curl --compressed too", async () => {
      const res = await fetch(`${site.base}/app.js`, { headers: { "accept-encoding": "gzip, br" } });
      assert.equal(res.headers.get("content-encoding"), "br");
      assert.equal(await res.text(), BIG_JS);
      const out = path.join(tree.base, "curl-big.css");
      const c = await curl(["--compressed", "-o", out, "-w", "%header{content-encoding}", `${site.base}/big.css`]);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(await readFile(out, "utf8"), BIG_CSS);
      assert.match(c.stdout.toString(), /^(br|gzip)$/);
    });
  });

  describe("precompressed sidecars", () => {
    it("serves file.br for a client accepting br, with the original's Content-Type", async () => {
      const { response } = await rawRequest(site.port, "/pre.css", { headers: { "accept-encoding": "gzip, br" } });
      assert.equal(response.status, 200);
      assert.equal(response.get("content-encoding"), "br");
      assert.equal(decode(response), PRE_CSS_FROM_BR);
      assert.equal(normalizeMediaType(response.get("content-type")), "text/css;charset=utf-8");
      assert.ok(varyHas(response));
    });
    it("serves file.gz for a client accepting only gzip", async () => {
      const { response } = await rawRequest(site.port, "/pre.css", { headers: { "accept-encoding": "gzip" } });
      assert.equal(response.get("content-encoding"), "gzip");
      assert.equal(decode(response), PRE_CSS_FROM_GZ);
      assert.equal(normalizeMediaType(response.get("content-type")), "text/css;charset=utf-8");
    });
    it("serves file.gz when only that sidecar exists, even to a br client", async () => {
      const { response } = await rawRequest(site.port, "/gzonly.js", { headers: { "accept-encoding": "br, gzip" } });
      // br on the fly or the .gz sidecar are both right; the sidecar shows in its marker.
      const body = decode(response);
      if (response.get("content-encoding") === "gzip") assert.equal(body, PRE_CSS_FROM_GZ);
      else assert.equal(body, PRE_CSS);
      assert.equal(normalizeMediaType(response.get("content-type")), "text/javascript;charset=utf-8");
    });
    it("serves the original to a client that accepts neither", async () => {
      const { response } = await rawRequest(site.port, "/pre.css", { headers: { "accept-encoding": "identity" } });
      assert.equal(response.get("content-encoding"), undefined);
      assert.equal(response.text, PRE_CSS);
      assert.ok(varyHas(response), `Vary: ${response.get("vary")}`);
    });
  });

  describe("ETags per encoding", () => {
    for (const target of ["/app.js", "/pre.css"]) {
      it(`${target}: identity, gzip and br have three different ETags, each revalidating only its own encoding`, async () => {
        const get = async (accept: string, extra: Record<string, string> = {}) =>
          (await rawRequest(site.port, target, { headers: { "accept-encoding": accept, ...extra } })).response;
        const identity = await get("identity");
        const gzip = await get("gzip");
        const br = await get("br");
        assert.deepEqual([identity, gzip, br].map((r) => r.get("content-encoding")), [undefined, "gzip", "br"]);
        const tags = [identity, gzip, br].map((r) => r.get("etag"));
        for (const tag of tags) assert.ok(tag, "missing ETag");
        assert.equal(new Set(tags).size, 3, `ETags: ${tags.join(" ")}`);

        const gzipAgain = await get("gzip", { "if-none-match": gzip.get("etag")! });
        assert.equal(gzipAgain.status, 304, "gzip ETag revalidates a gzip request");
        assert.equal(gzipAgain.get("etag"), gzip.get("etag"));
        assert.equal((await get("br", { "if-none-match": br.get("etag")! })).status, 304);
        assert.equal((await get("identity", { "if-none-match": identity.get("etag")! })).status, 304);

        const crossed = await get("identity", { "if-none-match": gzip.get("etag")! });
        assert.equal(crossed.status, 200, "the gzip ETag validated an identity request");
        assert.equal(crossed.text, target === "/app.js" ? BIG_JS : PRE_CSS);
        const crossed2 = await get("br", { "if-none-match": gzip.get("etag")! });
        assert.equal(crossed2.status, 200, "the gzip ETag validated a br request");
        assert.equal(crossed2.get("content-encoding"), "br");
      });
    }
  });
});
