// serveStatic response headers and methods: Content-Type from the MIME DB,
// nosniff everywhere, validators and conditional requests (RFC 9110 §13),
// Cache-Control, HEAD, OPTIONS, 405, SPA fallback, CORS and a custom 404 page.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import mime from "mime-types";
import {
  curl,
  FIXED_MTIME,
  makePng,
  makeTree,
  normalizeMediaType,
  parseCurlHeaders,
  rawRequest,
  startStatic,
  type StaticServer,
  type TempTree,
} from "../support/static-fixture.js";
import { parseResponses } from "../support/http-response.js";
import { RawClient } from "../support/raw.js";

const PNG = makePng(4, 3);
const FILES = {
  "site/index.html": "<!doctype html><h1>home</h1>",
  "site/page.html": "<!doctype html><p>page</p>",
  "site/style.css": "body { color: red }",
  "site/app.js": "console.log(1);",
  "site/data.json": '{"a":1}',
  "site/notes.txt": "some notes",
  "site/icon.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
  "site/pic.png": PNG,
  "site/blob.xyz123": "unknown type",
  "site/sub/inner.txt": "inner",
  "site/mutable.txt": "version one",
  "site/fraction.txt": "fractional mtime",
};

/** allowSet splits an Allow field into its upper-cased methods. */
const allowSet = (value: string | undefined) => new Set((value ?? "").split(",").map((m) => m.trim().toUpperCase()).filter(Boolean));

describe("serveStatic headers", () => {
  let tree: TempTree;
  let site: StaticServer;

  before(async () => {
    tree = await makeTree(FILES);
    site = await startStatic({ root: tree.root });
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  describe("Content-Type", () => {
    // The expected types come from the spec: HTML and the text-like types carry charset=utf-8.
    const table: Array<[string, string]> = [
      ["/page.html", "text/html;charset=utf-8"],
      ["/style.css", `${mime.lookup("css")};charset=utf-8`],
      ["/app.js", `${mime.lookup("js")};charset=utf-8`],
      ["/data.json", `${mime.lookup("json")};charset=utf-8`],
      ["/notes.txt", "text/plain;charset=utf-8"],
      ["/icon.svg", "image/svg+xml;charset=utf-8"],
      ["/pic.png", "image/png"],
      ["/blob.xyz123", "application/octet-stream"],
    ];
    for (const [target, expected] of table) {
      it(`${target} is ${expected}`, async () => {
        const { response } = await rawRequest(site.port, target);
        assert.equal(response.status, 200);
        assert.equal(normalizeMediaType(response.get("content-type")), expected);
      });
    }

    it("fetch and curl see the same types and bytes", async () => {
      const res = await fetch(`${site.base}/pic.png`);
      assert.equal(res.headers.get("content-type"), "image/png");
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
      const c = await curl(["-D", "-", "-o", "/dev/null", `${site.base}/style.css`]);
      assert.equal(c.code, 0, c.stderr);
      const { status, headers } = parseCurlHeaders(c.stdout.toString("latin1"));
      assert.equal(status, 200);
      assert.equal(normalizeMediaType(headers.get("content-type")?.[0]), "text/css;charset=utf-8");
    });
  });

  describe("X-Content-Type-Options", () => {
    it("is nosniff on every kind of response", async () => {
      const lastModified = FIXED_MTIME.toUTCString();
      const etag = (await rawRequest(site.port, "/notes.txt")).response.get("etag")!;
      const cases: Array<[string, { method?: string; headers?: Record<string, string> }, number]> = [
        ["/notes.txt", {}, 200],
        ["/", {}, 200],
        ["/sub/", {}, 200],
        ["/sub", {}, 301],
        ["/notes.txt", { headers: { "if-none-match": etag } }, 304],
        ["/notes.txt", { headers: { "if-modified-since": lastModified } }, 304],
        ["/notes.txt", { headers: { "if-match": '"nope"' } }, 412],
        ["/notes.txt", { headers: { range: "bytes=0-1" } }, 206],
        ["/notes.txt", { headers: { range: "bytes=9999-" } }, 416],
        ["/missing.txt", {}, 404],
        ["/notes.txt", { method: "POST" }, 405],
        ["/notes.txt", { method: "OPTIONS" }, 204],
        ["/notes.txt", { method: "HEAD" }, 200],
      ];
      const missing: string[] = [];
      for (const [target, options, status] of cases) {
        const { response } = await rawRequest(site.port, target, options);
        const label = `${options.method ?? "GET"} ${target} ${JSON.stringify(options.headers ?? {})}`;
        assert.equal(response.status, status, label);
        if (response.get("x-content-type-options")?.toLowerCase() !== "nosniff") missing.push(`${label} → ${response.status}`);
      }
      assert.deepEqual(missing, [], "responses without X-Content-Type-Options: nosniff");
    });
  });

  describe("validators and conditional requests", () => {
    let etag: string;
    const lastModified = FIXED_MTIME.toUTCString();
    const dayMs = 24 * 3600 * 1000;
    const past = new Date(FIXED_MTIME.getTime() - dayMs).toUTCString();
    const future = new Date(Date.now() + dayMs).toUTCString();

    before(async () => {
      const { response } = await rawRequest(site.port, "/notes.txt");
      etag = response.get("etag")!;
    });

    it("every file has a well-formed ETag and Last-Modified equal to its mtime", async () => {
      for (const target of ["/notes.txt", "/pic.png", "/page.html", "/app.js", "/blob.xyz123"]) {
        const { response } = await rawRequest(site.port, target);
        assert.match(response.get("etag") ?? "", /^(W\/)?"[\x21\x23-\x7e]*"$/, `${target} ETag`);
        assert.equal(response.get("last-modified"), lastModified, `${target} Last-Modified`);
      }
      const png = (await rawRequest(site.port, "/pic.png")).response.get("etag");
      assert.notEqual(png, etag, "two different files share an ETag");
    });

    const cases: Array<[string, () => Record<string, string>, number]> = [
      ["If-None-Match: the ETag", () => ({ "if-none-match": etag }), 304],
      ["If-None-Match: W/ the ETag (weak comparison)", () => ({ "if-none-match": `W/${etag.replace(/^W\//, "")}` }), 304],
      ["If-None-Match: a list holding the ETag", () => ({ "if-none-match": `"other", ${etag} , "more"` }), 304],
      ["If-None-Match: *", () => ({ "if-none-match": "*" }), 304],
      ["If-None-Match: another ETag", () => ({ "if-none-match": '"not-the-etag"' }), 200],
      ["If-None-Match mismatch wins over a satisfied If-Modified-Since", () => ({ "if-none-match": '"nope"', "if-modified-since": future }), 200],
      ["If-None-Match match wins over an unsatisfied If-Modified-Since", () => ({ "if-none-match": etag, "if-modified-since": past }), 304],
      ["If-Modified-Since: Last-Modified", () => ({ "if-modified-since": lastModified }), 304],
      ["If-Modified-Since: later", () => ({ "if-modified-since": future }), 304],
      ["If-Modified-Since: earlier", () => ({ "if-modified-since": past }), 200],
      ["If-Modified-Since: not a date", () => ({ "if-modified-since": "yesterday-ish" }), 200],
      ["If-Match: another ETag", () => ({ "if-match": '"not-the-etag"' }), 412],
      ["If-Match: the ETag", () => ({ "if-match": etag }), 200],
      ["If-Match: *", () => ({ "if-match": "*" }), 200],
      ["If-Unmodified-Since: in the past", () => ({ "if-unmodified-since": past }), 412],
      ["If-Unmodified-Since: in the future", () => ({ "if-unmodified-since": future }), 200],
      ["If-Unmodified-Since: Last-Modified", () => ({ "if-unmodified-since": lastModified }), 200],
      ["If-Match mismatch beats If-None-Match", () => ({ "if-match": '"nope"', "if-none-match": etag }), 412],
    ];
    for (const [label, headers, status] of cases) {
      it(`${label} → ${status}`, async () => {
        const answer = await rawRequest(site.port, "/notes.txt", { headers: headers() });
        assert.equal(answer.response.status, status);
        if (status === 304) {
          assert.equal(answer.afterHead.length, 0, "a 304 carries no body");
          assert.equal(answer.response.get("etag"), etag, "a 304 repeats the ETag");
          assert.ok(answer.response.has("cache-control"), "a 304 repeats Cache-Control");
        }
        if (status === 200) assert.equal(answer.response.text, "some notes");
        if (status === 412) assert.ok(!answer.response.text.includes("some notes"), "a 412 carries the file");
      });
    }

    it("If-Match compares strongly: a weak form of the ETag fails", async (t) => {
      if (etag.startsWith("W/")) return t.skip("the server's ETag is weak");
      const { response } = await rawRequest(site.port, "/notes.txt", { headers: { "if-match": `W/${etag}` } });
      assert.equal(response.status, 412);
    });

    it("compares dates at one-second precision when the mtime has a fraction", async () => {
      const fractional = new Date(FIXED_MTIME.getTime() + 600);
      await utimes(path.join(tree.root, "fraction.txt"), fractional, fractional);
      const { response } = await rawRequest(site.port, "/fraction.txt");
      const lm = response.get("last-modified")!;
      assert.equal(lm, FIXED_MTIME.toUTCString());
      const ims = await rawRequest(site.port, "/fraction.txt", { headers: { "if-modified-since": lm } });
      assert.equal(ims.response.status, 304, "If-Modified-Since: its own Last-Modified");
      const ius = await rawRequest(site.port, "/fraction.txt", { headers: { "if-unmodified-since": lm } });
      assert.equal(ius.response.status, 200, "If-Unmodified-Since: its own Last-Modified");
    });

    it("fetch and curl revalidate with 304", async () => {
      const first = await fetch(`${site.base}/notes.txt`);
      await first.arrayBuffer();
      const again = await fetch(`${site.base}/notes.txt`, { headers: { "if-none-match": first.headers.get("etag")! } });
      assert.equal(again.status, 304);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
      const c = await curl(["-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", `If-None-Match: ${etag}`, `${site.base}/notes.txt`]);
      assert.equal(c.stdout.toString(), "304 0");
    });

    it("a changed file is served fresh with a new ETag", async () => {
      const before = await rawRequest(site.port, "/mutable.txt");
      assert.equal(before.response.text, "version one");
      await writeFile(path.join(tree.root, "mutable.txt"), "version two, longer");
      const afterChange = await rawRequest(site.port, "/mutable.txt");
      assert.equal(afterChange.response.text, "version two, longer");
      assert.notEqual(afterChange.response.get("etag"), before.response.get("etag"));
      const stale = await rawRequest(site.port, "/mutable.txt", { headers: { "if-none-match": before.response.get("etag")! } });
      assert.equal(stale.response.status, 200, "the old ETag still validates");
      assert.equal(stale.response.text, "version two, longer");
    });
  });

  describe("Cache-Control", () => {
    it("is no-cache by default", async () => {
      for (const target of ["/notes.txt", "/pic.png"]) {
        const { response } = await rawRequest(site.port, target);
        assert.equal(response.get("cache-control"), "no-cache", target);
      }
    });
    for (const seconds of [3600, 0]) {
      it(`is max-age=${seconds} with cacheMaxAge: ${seconds}`, async () => {
        const cached = await startStatic({ root: tree.root, cacheMaxAge: seconds });
        try {
          const { response } = await rawRequest(cached.port, "/notes.txt");
          const directives = (response.get("cache-control") ?? "").split(",").map((d) => d.trim().toLowerCase());
          assert.ok(directives.includes(`max-age=${seconds}`), `Cache-Control: ${response.get("cache-control")}`);
          assert.ok(!directives.includes("no-cache"), `Cache-Control: ${response.get("cache-control")}`);
        } finally {
          await cached.stop();
        }
      });
    }
  });

  describe("methods", () => {
    it("HEAD gives GET's status and headers, Content-Length included, without a body", async () => {
      for (const target of ["/notes.txt", "/pic.png", "/page.html", "/", "/sub/", "/sub", "/missing.txt"]) {
        const get = await rawRequest(site.port, target);
        const head = await rawRequest(site.port, target, { method: "HEAD" });
        assert.equal(head.response.status, get.response.status, target);
        assert.equal(head.afterHead.length, 0, `HEAD ${target} sent a body`);
        const fields = (r: typeof get) =>
          r.response.headers.filter(([name]) => name !== "date" && name !== "connection" && name !== "keep-alive").map(([n, v]) => `${n}: ${v}`).sort();
        assert.deepEqual(fields(head), fields(get), `HEAD ${target} headers differ from GET's`);
        if (get.response.status === 200 && target.endsWith(".txt")) {
          assert.equal(head.response.get("content-length"), String(get.response.body.length), target);
        }
      }
    });

    it("curl -I gets the file's length", async () => {
      const c = await curl(["-I", `${site.base}/pic.png`]);
      const { status, headers } = parseCurlHeaders(c.stdout.toString("latin1"));
      assert.equal(status, 200);
      assert.equal(headers.get("content-length")?.[0], String(PNG.length));
    });

    it("OPTIONS gives 204 with Allow and no body", async () => {
      for (const target of ["/notes.txt", "/"]) {
        const answer = await rawRequest(site.port, target, { method: "OPTIONS" });
        assert.equal(answer.response.status, 204, target);
        assert.equal(answer.afterHead.length, 0);
        const allow = allowSet(answer.response.get("allow"));
        for (const m of ["GET", "HEAD", "OPTIONS"]) assert.ok(allow.has(m), `Allow: ${answer.response.get("allow")}`);
      }
    });

    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      it(`${method} on a file gives 405 with Allow: GET, HEAD, OPTIONS and leaves it alone`, async () => {
        const answer = await rawRequest(site.port, "/notes.txt", { method, body: "overwrite!" });
        assert.equal(answer.response.status, 405);
        assert.deepEqual(allowSet(answer.response.get("allow")), new Set(["GET", "HEAD", "OPTIONS"]));
        assert.ok(!answer.response.text.includes("some notes"), "the 405 carries the file");
        assert.equal((await rawRequest(site.port, "/notes.txt")).response.text, "some notes");
      });
    }

    it("fetch and curl see 405 too", async () => {
      const res = await fetch(`${site.base}/notes.txt`, { method: "DELETE" });
      assert.equal(res.status, 405);
      assert.deepEqual(allowSet(res.headers.get("allow") ?? ""), new Set(["GET", "HEAD", "OPTIONS"]));
      const c = await curl(["-X", "PUT", "--data-binary", "x", "-o", "/dev/null", "-w", "%{http_code}", `${site.base}/notes.txt`]);
      assert.equal(c.stdout.toString(), "405");
    });
  });

  describe("one connection", () => {
    it("keeps framing right across pipelined GET, HEAD, 304, 206, 404, 405 and compressed responses", async () => {
      const etag = (await rawRequest(site.port, "/notes.txt")).response.get("etag")!;
      const requests: Array<[string, string, Record<string, string>]> = [
        ["GET", "/notes.txt", {}],
        ["HEAD", "/pic.png", {}],
        ["GET", "/notes.txt", { "if-none-match": etag }],
        ["GET", "/notes.txt", { range: "bytes=2-5" }],
        ["GET", "/missing.txt", {}],
        ["POST", "/notes.txt", {}],
        ["GET", "/", { "accept-encoding": "gzip, br" }],
        ["HEAD", "/", {}],
        ["GET", "/pic.png", {}],
      ];
      const wire = requests
        .map(([method, target, headers]) => {
          const lines = [`${method} ${target} HTTP/1.1`, "Host: x", ...Object.entries(headers).map(([n, v]) => `${n}: ${v}`)];
          if (method === "POST") lines.push("Content-Length: 0");
          return `${lines.join("\r\n")}\r\n\r\n`;
        })
        .join("");
      const client = await RawClient.connect(site.port);
      try {
        await client.write(wire);
        const methods = requests.map(([m]) => m);
        const responses = await client.waitForResponses(requests.length, { methods, timeoutMs: 5000 });
        assert.deepEqual(responses.map((r) => r.status), [200, 200, 304, 206, 404, 405, 200, 200, 200]);
        assert.equal(responses[0].text, "some notes");
        assert.equal(responses[1].get("content-length"), String(PNG.length));
        assert.equal(responses[1].body.length, 0);
        assert.equal(responses[3].text, "some notes".slice(2, 6));
        assert.ok(responses[8].body.equals(PNG));
        assert.ok(await client.stayedOpen(100), "the connection closed");
        assert.equal(client.finalResponses(methods).length, requests.length, "extra bytes after the last response");
        const rest = parseResponses(client.data, { methods }).rest;
        assert.equal(rest.length, 0, `${rest.length} stray bytes after the responses`);
      } finally {
        client.destroy();
      }
    });
  });

  describe("spa", () => {
    let spa: StaticServer;
    before(async () => {
      spa = await startStatic({ root: tree.root, spa: true });
    });
    after(() => spa?.stop());

    it("serves /index.html with 200 for an extension-less route from an HTML client", async () => {
      for (const target of ["/some/route", "/dashboard", "/users/42/edit?tab=1"]) {
        const { response } = await rawRequest(spa.port, target, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
        assert.equal(response.status, 200, target);
        assert.equal(response.text, FILES["site/index.html"], target);
        assert.equal(normalizeMediaType(response.get("content-type")), "text/html;charset=utf-8");
      }
    });
    it("still serves real files", async () => {
      const { response } = await rawRequest(spa.port, "/notes.txt", { headers: { accept: "text/html" } });
      assert.equal(response.text, "some notes");
    });
    it("gives 404 for a missing file with an extension", async () => {
      for (const target of ["/missing.js", "/assets/app.css"]) {
        const { response } = await rawRequest(spa.port, target, { headers: { accept: "text/html" } });
        assert.equal(response.status, 404, target);
      }
    });
    it("gives 404 when the client does not accept HTML", async () => {
      const { response } = await rawRequest(spa.port, "/some/route", { headers: { accept: "application/json" } });
      assert.equal(response.status, 404);
    });
    it("is off by default", async () => {
      const { response } = await rawRequest(site.port, "/some/route", { headers: { accept: "text/html" } });
      assert.equal(response.status, 404);
    });
  });

  describe("cors", () => {
    let cors: StaticServer;
    before(async () => {
      cors = await startStatic({ root: tree.root, cors: true });
    });
    after(() => cors?.stop());

    it("adds Access-Control-Allow-Origin: * to responses", async () => {
      for (const target of ["/notes.txt", "/"]) {
        const { response } = await rawRequest(cors.port, target, { headers: { origin: "http://other.example" } });
        assert.equal(response.get("access-control-allow-origin"), "*", target);
      }
      const res = await fetch(`${cors.base}/data.json`, { headers: { origin: "http://other.example" } });
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
    });
    it("answers a preflight with 204 and Access-Control-Allow-Methods", async () => {
      const answer = await rawRequest(cors.port, "/data.json", {
        method: "OPTIONS",
        headers: { origin: "http://other.example", "access-control-request-method": "GET", "access-control-request-headers": "x-custom" },
      });
      assert.equal(answer.response.status, 204);
      assert.equal(answer.afterHead.length, 0);
      assert.equal(answer.response.get("access-control-allow-origin"), "*");
      const methods = allowSet(answer.response.get("access-control-allow-methods"));
      assert.ok(methods.has("GET") && methods.has("HEAD"), `Access-Control-Allow-Methods: ${answer.response.get("access-control-allow-methods")}`);
    });
    it("is off by default", async () => {
      const { response } = await rawRequest(site.port, "/notes.txt", { headers: { origin: "http://other.example" } });
      assert.equal(response.get("access-control-allow-origin"), undefined);
    });
  });

  describe("404", () => {
    it("is a plain 404 without a 404.html", async () => {
      const { response } = await rawRequest(site.port, "/nothing/here.txt");
      assert.equal(response.status, 404);
    });
    it("uses 404.html from the root as the body, with status 404", async () => {
      const page = "<!doctype html><h1>Custom not found</h1>";
      const custom = await makeTree({ "site/404.html": page, "site/a.txt": "a" });
      const server = await startStatic({ root: custom.root });
      try {
        for (const target of ["/missing.txt", "/deep/missing/path", "/missing-dir/"]) {
          const { response } = await rawRequest(server.port, target);
          assert.equal(response.status, 404, target);
          assert.equal(response.text, page, target);
          assert.equal(normalizeMediaType(response.get("content-type")), "text/html;charset=utf-8");
          assert.equal(response.get("x-content-type-options"), "nosniff");
        }
        const head = await rawRequest(server.port, "/missing.txt", { method: "HEAD" });
        assert.equal(head.response.status, 404);
        assert.equal(head.afterHead.length, 0);
        const res = await fetch(`${server.base}/missing.txt`);
        assert.equal(res.status, 404);
        assert.equal(await res.text(), page);
      } finally {
        await server.stop();
        await custom.remove();
      }
    });
  });
});
