// compress(handler) and serve({ compress }) over TCP: what is coded and what is left alone (a
// table over raw requests), Node's fetch and curl --compressed decoding the bytes, a streamed
// body decoded chunk by chunk as it is produced, SSE events arriving at once, and bounded memory.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import net from "node:net";
import { brotliDecompressSync, createGunzip, gunzipSync } from "node:zlib";
import { compress } from "../../src/index.js";
import { exchange } from "../support/raw.js";
import { startServer, type Server } from "../support/server.js";

const TEXT = "<p>compress me, compress me</p>\n".repeat(200); // 6.4 KB of HTML
const html = { "Content-Type": "text/html; charset=utf-8" };

/** routes are the responses the table asks for, by path. */
const routes: Record<string, () => Response> = {
  "/html": () => new Response(TEXT, { headers: html }),
  "/small": () => new Response("<p>small</p>", { headers: html }),
  "/png": () => new Response(new Uint8Array(4096), { headers: { "Content-Type": "image/png" } }),
  "/coded": () => new Response(TEXT, { headers: { ...html, "Content-Encoding": "identity-ish" } }),
  "/no-transform": () => new Response(TEXT, { headers: { ...html, "Cache-Control": "public, no-transform" } }),
  "/partial": () => new Response(TEXT.slice(0, 2000), { status: 206, headers: { ...html, "Content-Range": `bytes 0-1999/${TEXT.length}` } }),
  "/no-content": () => new Response(null, { status: 204 }),
  "/not-modified": () => new Response(null, { status: 304, headers: { ETag: '"v1"' } }),
  "/etag": () => new Response(TEXT, { headers: { ...html, ETag: '"v1"', Vary: "Origin", "Content-Length": String(TEXT.length) } }),
  "/weak": () => new Response(TEXT, { headers: { ...html, ETag: 'W/"v1"', Vary: "accept-encoding" } }),
  "/json": () => Response.json({ items: Array.from({ length: 200 }, (_, i) => ({ i, name: `item ${i}` })) }),
  "/untyped": () => new Response(new TextEncoder().encode(TEXT)),
};

interface Row {
  name: string;
  path: string;
  accept?: string;
  method?: string;
  /** coding is the Content-Encoding expected, or null for none. */
  coding: "br" | "gzip" | null;
  etag?: string;
  vary?: string;
}

const rows: Row[] = [
  { name: "no Accept-Encoding: sent as it is", path: "/html", coding: null },
  { name: "gzip", path: "/html", accept: "gzip", coding: "gzip", vary: "Accept-Encoding" },
  { name: "br preferred when both are accepted", path: "/html", accept: "gzip, deflate, br", coding: "br" },
  { name: "q-values above 0 accept; the server's order (br first) decides", path: "/html", accept: "br;q=0.5, gzip;q=0.8", coding: "br" },
  { name: "br;q=0 leaves gzip", path: "/html", accept: "br;q=0, gzip", coding: "gzip" },
  { name: "* accepts br", path: "/html", accept: "*", coding: "br" },
  { name: "*;q=0 with gzip named", path: "/html", accept: "*;q=0, gzip", coding: "gzip" },
  { name: "identity;q=0 without a coding we have: identity anyway", path: "/html", accept: "identity;q=0, deflate", coding: null },
  { name: "x-gzip counts as gzip", path: "/html", accept: "x-gzip", coding: "gzip" },
  { name: "below the threshold", path: "/small", accept: "gzip, br", coding: null },
  { name: "not a compressible type", path: "/png", accept: "gzip, br", coding: null },
  { name: "already has Content-Encoding", path: "/coded", accept: "gzip, br", coding: null },
  { name: "Cache-Control: no-transform", path: "/no-transform", accept: "gzip, br", coding: null },
  { name: "206 with Content-Range", path: "/partial", accept: "gzip, br", coding: null },
  { name: "204", path: "/no-content", accept: "gzip, br", coding: null },
  { name: "304", path: "/not-modified", accept: "gzip, br", coding: null },
  { name: "HEAD", path: "/html", accept: "gzip, br", method: "HEAD", coding: null },
  { name: "a strong ETag becomes weak, Vary is extended, Content-Length dropped", path: "/etag", accept: "gzip", coding: "gzip", etag: 'W/"v1"', vary: "Origin, Accept-Encoding" },
  { name: "a weak ETag and a Vary naming Accept-Encoding stay", path: "/weak", accept: "br", coding: "br", etag: 'W/"v1"', vary: "accept-encoding" },
  { name: "Response.json is compressible", path: "/json", accept: "gzip", coding: "gzip" },
  { name: "no Content-Type: left alone", path: "/untyped", accept: "gzip", coding: null },
];

function decode(coding: string | undefined, body: Buffer): Buffer {
  if (coding === "gzip") return gunzipSync(body);
  if (coding === "br") return brotliDecompressSync(body);
  return body;
}

describe("compress(handler): what is coded (raw requests)", () => {
  let server: Server;
  before(async () => {
    server = await startServer({ fetch: compress((request) => (routes[new URL(request.url).pathname] ?? (() => new Response("?", { status: 404 })))()) });
  });
  after(() => server.stop(true));

  for (const row of rows) {
    it(row.name, async () => {
      const method = row.method ?? "GET";
      const head = `${method} ${row.path} HTTP/1.1\r\nHost: a\r\n${row.accept !== undefined ? `Accept-Encoding: ${row.accept}\r\n` : ""}\r\n`;
      const { responses } = await exchange(server.port, head, { responses: 1, methods: [method] });
      const res = responses[0];
      assert.equal(res.get("content-encoding") ?? null, row.coding === null ? (row.path === "/coded" ? "identity-ish" : null) : row.coding);
      if (row.coding !== null) {
        assert.equal(res.get("content-length"), undefined, "Content-Length is dropped");
        assert.equal(res.get("vary"), row.vary ?? "Accept-Encoding");
        const original = await routes[row.path]().arrayBuffer();
        assert.deepEqual(decode(row.coding, res.body), Buffer.from(original));
        assert.ok(res.body.length < original.byteLength, "the coded body is smaller");
      }
      if (row.etag !== undefined) assert.equal(res.get("etag"), row.etag);
    });
  }
});

describe("CompressOptions", () => {
  it("threshold and encodings are honoured; a bad threshold is refused", async () => {
    const server = await startServer({ compress: { threshold: 8, encodings: ["gzip"] }, fetch: () => new Response("<p>small</p>", { headers: html }) });
    try {
      const { responses } = await exchange(server.port, "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br, gzip\r\n\r\n", { responses: 1 });
      assert.equal(responses[0].get("content-encoding"), "gzip", "only gzip is offered");
      assert.equal(gunzipSync(responses[0].body).toString(), "<p>small</p>", "above a threshold of 8 bytes");
    } finally {
      await server.stop(true);
    }
    assert.throws(() => compress(() => new Response("x"), { threshold: -1 }), RangeError);
  });
});

describe("serve({ compress }) with real clients", () => {
  let server: Server;
  before(async () => {
    server = await startServer({ compress: true, fetch: () => new Response(TEXT, { headers: html }) });
  });
  after(() => server.stop(true));

  it("Node's fetch decodes it", async () => {
    const res = await fetch(server.url);
    assert.ok(["gzip", "br"].includes(res.headers.get("content-encoding") ?? ""), `coding ${res.headers.get("content-encoding")}`);
    assert.equal(await res.text(), TEXT);
  });

  it("curl --compressed decodes it", async () => {
    const out = await new Promise<{ body: string; headers: string }>((resolve, reject) => {
      execFile("curl", ["--silent", "--show-error", "--compressed", "--max-time", "20", "-D", "-", server.url.href], { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`${err.message} ${stderr}`));
        const end = stdout.indexOf("\r\n\r\n");
        resolve({ headers: stdout.slice(0, end + 2), body: stdout.slice(end + 4) });
      });
    });
    assert.match(out.headers, /^content-encoding: (br|gzip)\r$/im);
    assert.match(out.headers, /^vary: Accept-Encoding\r$/im);
    assert.equal(out.body, TEXT);
  });
});

/** Gate hands out one release per call to `next()`, so a stream produces a chunk only when told. */
function gate(): { wait: () => Promise<void>; next: () => void } {
  const waiters: (() => void)[] = [];
  let credits = 0;
  return {
    wait: () => (credits > 0 ? (credits--, Promise.resolve()) : new Promise<void>((r) => waiters.push(r))),
    next: () => {
      const w = waiters.shift();
      if (w !== undefined) w();
      else credits++;
    },
  };
}

/** RawChunked reads a chunked response from a socket: the head, then the chunk data as it arrives. */
function rawChunked(port: number, head: string, onHead: (head: string) => void, onData: (data: Buffer) => void): net.Socket {
  const socket = net.connect({ port, host: "127.0.0.1" }, () => socket.write(head));
  let buf = Buffer.alloc(0);
  let inBody = false;
  socket.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (!inBody) {
      const end = buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      onHead(buf.toString("latin1", 0, end));
      buf = buf.subarray(end + 4);
      inBody = true;
    }
    for (;;) {
      const line = buf.indexOf("\r\n");
      if (line === -1) return;
      const size = parseInt(buf.toString("latin1", 0, line), 16);
      if (buf.length < line + 2 + size + 2) return;
      if (size > 0) onData(buf.subarray(line + 2, line + 2 + size));
      buf = buf.subarray(line + 2 + size + 2);
    }
  });
  return socket;
}

describe("compress(handler): streams", () => {
  it("a streamed body is decoded chunk by chunk, each before the next is produced", async () => {
    const produce = gate();
    const parts = Array.from({ length: 6 }, (_, i) => `<li>part ${i} ${"x".repeat(300 + i)}</li>\n`);
    const server = await startServer({
      fetch: compress(() => {
        let i = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await produce.wait();
            if (i === parts.length) return controller.close();
            controller.enqueue(new TextEncoder().encode(parts[i++]));
          },
        });
        return new Response(body, { headers: html });
      }),
    });
    try {
      const gunzip = createGunzip();
      let decoded = "";
      let headText = "";
      const socket = rawChunked(server.port, "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n", (h) => (headText = h), (d) => gunzip.write(d));
      gunzip.on("data", (d: Buffer) => (decoded += d.toString()));
      const until = async (want: string): Promise<void> => {
        const t0 = Date.now();
        while (!decoded.endsWith(want) && Date.now() - t0 < 5000) await new Promise((r) => gunzip.once("data", r));
      };
      for (let i = 0; i < parts.length; i++) {
        produce.next();
        await until(parts[i]);
        assert.equal(decoded, parts.slice(0, i + 1).join(""), `part ${i} arrived, decoded, before part ${i + 1} was produced`);
      }
      assert.match(headText, /^content-encoding: gzip$/im);
      const ended = new Promise((r) => gunzip.once("end", r));
      produce.next(); // the end
      socket.on("end", () => gunzip.end());
      await ended;
      assert.equal(decoded, parts.join(""));
      socket.destroy();
    } finally {
      await server.stop(true);
    }
  });

  it("SSE is left alone: each event arrives as it is sent", async () => {
    const produce = gate();
    const server = await startServer({
      compress: true,
      fetch: () => {
        let i = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await produce.wait();
            controller.enqueue(new TextEncoder().encode(`data: event ${i++} ${"y".repeat(2000)}\n\n`));
          },
        });
        return new Response(body, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" } });
      },
    });
    try {
      let text = "";
      let headText = "";
      let notify = (): void => {};
      const socket = rawChunked(server.port, "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip, br\r\n\r\n", (h) => (headText = h), (d) => {
        text += d.toString();
        notify();
      });
      for (let i = 0; i < 3; i++) {
        produce.next();
        const t0 = Date.now();
        while (!text.includes(`data: event ${i} `) && Date.now() - t0 < 5000) await new Promise<void>((r) => (notify = r));
        assert.ok(text.includes(`data: event ${i} `), `event ${i} arrived`);
        assert.ok(!text.includes(`data: event ${i + 1} `));
      }
      assert.doesNotMatch(headText, /content-encoding/i);
      socket.destroy();
    } finally {
      await server.stop(true);
    }
  });

  it("memory stays bounded: a client that does not read stops the producer", async () => {
    let produced = 0;
    const chunk = new TextEncoder().encode(`${Math.random().toString(36).repeat(3000)}\n`);
    const server = await startServer({
      fetch: compress(() => {
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            produced += chunk.length;
            controller.enqueue(chunk);
          },
        });
        return new Response(body, { headers: html });
      }),
    });
    try {
      const socket = net.connect({ port: server.port, host: "127.0.0.1" }, () => socket.write("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"));
      socket.pause(); // never read
      await new Promise((r) => setTimeout(r, 1500)); // time for an unbounded producer to run away
      const settled = produced;
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(produced < 64 * 1024 * 1024, `produced ${produced} bytes for a client that reads nothing`);
      assert.equal(produced, settled, "the producer stopped");
      socket.destroy();
    } finally {
      await server.stop(true);
    }
  });
});
