// Listings travel compressed like other text: a 5,000-file directory's HTML and JSON listings
// measured on the wire with curl (--compressed against none), brotli or gzip by Accept-Encoding
// with q-values, and a weak ETag that turns a revisit into a 304.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { curl, makeTree, parseCurlHeaders, rawRequest, startStatic, type StaticServer, type TempTree } from "../support/static-fixture.js";

const FILES = 5_000;

describe("compressed listings with a weak ETag", () => {
  let tree: TempTree;
  let site: StaticServer;
  let url: string;

  before(async () => {
    tree = await makeTree({});
    const dir = path.join(tree.root, "many");
    await mkdir(dir);
    for (let i = 0; i < FILES; i += 250) {
      await Promise.all(Array.from({ length: 250 }, (_, j) => writeFile(path.join(dir, `file-${String(i + j).padStart(5, "0")}.txt`), `${i + j}`)));
    }
    site = await startStatic({ root: tree.root });
    url = `${site.base}/many/`;
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  /** onWire fetches `url` with curl and returns the bytes downloaded, the body curl kept, and the head. */
  const onWire = async (args: string[]) => {
    const headFile = path.join(tree.base, "head.txt");
    const c = await curl(["-D", headFile, "-w", "\n%{size_download}", ...args, url]);
    assert.equal(c.code, 0, c.stderr);
    const text = c.stdout.toString("utf8");
    const cut = text.lastIndexOf("\n");
    return { size: Number(text.slice(cut + 1)), body: text.slice(0, cut), head: parseCurlHeaders(await readFile(headFile, "utf8")) };
  };

  for (const accept of ["text/html", "application/json"]) {
    it(`${accept}: curl --compressed downloads a fraction of the plain listing, and reads the same`, async () => {
      const plain = await onWire(["-H", `Accept: ${accept}`]);
      const packed = await onWire(["--compressed", "-H", `Accept: ${accept}`]);
      assert.equal(plain.head.headers.get("content-encoding"), undefined);
      assert.match(packed.head.headers.get("content-encoding")?.[0] ?? "", /^(br|gzip)$/);
      assert.equal(packed.body, plain.body);
      assert.ok(plain.body.includes("file-04999.txt"), "the listing misses the last file");
      assert.ok(plain.size > 200_000, `plain listing of ${plain.size} bytes`);
      assert.ok(packed.size * 8 < plain.size, `compressed ${packed.size} bytes against ${plain.size} plain`);
      assert.match(packed.head.headers.get("vary")?.[0] ?? "", /Accept-Encoding/);
    });
  }

  it("picks by Accept-Encoding with q-values: br, gzip, or nothing", async () => {
    const rows: [string, string | undefined][] = [
      ["br", "br"],
      ["gzip, br;q=0", "gzip"],
      ["gzip;q=0.5, deflate", "gzip"],
      ["identity", undefined],
      ["br;q=0, gzip;q=0", undefined],
    ];
    for (const [acceptEncoding, expected] of rows) {
      const { response } = await rawRequest(site.port, "/many/", { headers: { "Accept-Encoding": acceptEncoding } });
      assert.equal(response.status, 200);
      assert.equal(response.get("content-encoding"), expected, acceptEncoding);
      const body = expected === "br" ? brotliDecompressSync(response.body) : expected === "gzip" ? gunzipSync(response.body) : response.body;
      assert.match(body.toString("utf8"), /file-04999\.txt/, acceptEncoding);
    }
  });

  it("a revisit with the weak ETag gets 304, in each format and coding; a change gets a new ETag", async () => {
    for (const accept of ["text/html", "application/json"]) {
      const first = await onWire(["--compressed", "-H", `Accept: ${accept}`]);
      const etag = first.head.headers.get("etag")?.[0] ?? "";
      assert.match(etag, /^W\/"[^"]+"$/);
      const again = await curl(["--compressed", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", `Accept: ${accept}`, "-H", `If-None-Match: ${etag}`, url]);
      assert.equal(again.stdout.toString(), "304 0", accept);
      const plain = await rawRequest(site.port, "/many/", { headers: { accept, "If-None-Match": etag } });
      assert.equal(plain.response.status, 304, "the identity coding shares the weak ETag");
    }
    const html = (await onWire(["-H", "Accept: text/html"])).head.headers.get("etag")?.[0];
    const json = (await onWire(["-H", "Accept: application/json"])).head.headers.get("etag")?.[0];
    assert.notEqual(html, json, "HTML and JSON listings share an ETag");
    await writeFile(path.join(tree.root, "many", "new.txt"), "new");
    const changed = await curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", `If-None-Match: ${html}`, url]);
    assert.equal(changed.stdout.toString(), "200", "a changed directory still matched the old ETag");
  });
});
