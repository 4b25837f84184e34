// Headless Chromium (playwright-core, Debian's /usr/bin/chromium) as the client: the server serves
// a page whose script opens a WebSocket, sends text and an ArrayBuffer, and gets a message the
// server publishes; the test reads the page's results. Chromium always offers permessage-deflate,
// so it runs with the server's perMessageDeflate on and off. Screenshots of the page go to
// artifacts/ws-browser.png (deflate on) and artifacts/ws-browser-no-deflate.png.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { chromium, type Browser, type BrowserServer } from "playwright-core";
import { startServer, within, type Server } from "../support/server.js";
import { ensureDebianPackage } from "../support/ws-apt.js";
import { waitUntil } from "../support/ws-peer.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SCREENSHOT = path.join(ROOT, "artifacts", "ws-browser.png");

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>sockserve WebSocket</title>
<style>body{font:15px system-ui,sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}#status{font-weight:bold}</style>
</head><body>
<h1>sockserve WebSocket from Chromium</h1>
<p>Status: <span id="status">connecting</span></p>
<pre id="log"></pre>
<script>
const results = { open: false, extensions: null, protocol: null, messages: [], closed: null, errors: 0 };
window.results = results;
const log = (line) => { document.getElementById("log").textContent += line + "\\n"; };
const status = (s) => { document.getElementById("status").textContent = s; };
const ws = new WebSocket("ws://" + location.host + "/ws", ["chat.v1"]);
ws.binaryType = "arraybuffer";
ws.onopen = () => {
  results.open = true;
  results.extensions = ws.extensions;
  results.protocol = ws.protocol;
  status("open");
  log("open; extensions: " + JSON.stringify(ws.extensions) + "; protocol: " + ws.protocol);
  ws.send("hello from chromium \\u2713");
  ws.send(new Uint8Array([0, 1, 2, 127, 128, 253, 254, 255]).buffer);
  ws.send("chromium ".repeat(20000));
  ws.send("ready");
};
ws.onmessage = (e) => {
  const m = typeof e.data === "string"
    ? { type: "text", text: e.data.length > 200 ? "length " + e.data.length + ", all 'chromium ': " + (e.data === "chromium ".repeat(e.data.length / 9)) : e.data }
    : { type: "binary", bytes: Array.from(new Uint8Array(e.data)) };
  results.messages.push(m);
  log("received " + JSON.stringify(m));
};
ws.onclose = (e) => { results.closed = { code: e.code, reason: e.reason, wasClean: e.wasClean }; status("closed " + e.code); log("closed " + e.code + " " + e.reason); };
ws.onerror = () => { results.errors++; log("error"); };
</script>
</body></html>`;

interface PageResults {
  open: boolean;
  extensions: string | null;
  protocol: string | null;
  messages: ({ type: "text"; text: string } | { type: "binary"; bytes: number[] })[];
  closed: { code: number; reason: string; wasClean: boolean } | null;
  errors: number;
}

describe("Chromium's WebSocket against sockserve", () => {
  let browserServer: BrowserServer;
  let browser: Browser;

  before(async () => {
    await ensureDebianPackage("chromium", async () => existsSync(CHROMIUM));
    browserServer = await chromium.launchServer({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 60_000 });
    browser = await chromium.connect(browserServer.wsEndpoint(), { timeout: 30_000 });
  }, { timeout: 15 * 60_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    const pid = browserServer?.process().pid;
    await within(browserServer?.close() ?? Promise.resolve(), 10_000, "closing Chromium").catch(() => {
      if (pid !== undefined) process.kill(pid, "SIGKILL");
    });
  });

  for (const deflate of [true, false]) {
    it(`server perMessageDeflate ${deflate ? "on" : "off"}: text, ArrayBuffer, a large message, a server publish, a close`, { timeout: 60_000 }, async () => {
      const nonce = randomBytes(6).toString("hex");
      const seen: string[] = [];
      const closes: { code: number; reason: string }[] = [];
      let offered: string | null = null;
      const server: Server = await startServer({
        fetch(req, server) {
          const url = new URL(req.url);
          if (url.pathname === "/ws") {
            offered = req.headers.get("sec-websocket-extensions");
            if (server.upgrade(req)) return;
            return new Response("Expected a WebSocket", { status: 426 });
          }
          if (url.pathname === "/") return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
          return new Response("not found", { status: 404 });
        },
        websocket: {
          perMessageDeflate: deflate,
          protocol: (list) => (list.includes("chat.v1") ? "chat.v1" : null),
          open: (ws) => ws.subscribe("news"),
          message(ws, m) {
            seen.push(typeof m === "string" ? (m.length > 40 ? `text(${m.length})` : `text:${m}`) : `binary(${m.length})`);
            if (m !== "ready") ws.send(m);
          },
          close: (_ws, code, reason) => void closes.push({ code, reason }),
        },
      });
      const page = await browser.newPage();
      let shot = false;
      // The screenshot shows the page's log: taken before the close, or on failure as it stands.
      const shoot = async (): Promise<void> => {
        if (shot) return;
        shot = true;
        mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: deflate ? SCREENSHOT : SCREENSHOT.replace(/\.png$/, "-no-deflate.png"), fullPage: true });
      };
      try {
        await page.goto(`http://127.0.0.1:${server.port}/`, { timeout: 15_000 });
        const waitPage = async (expression: string, label: string, timeout: number): Promise<void> => {
          try {
            await page.waitForFunction(expression, undefined, { timeout });
          } catch (err) {
            const state = await page.evaluate("JSON.stringify(window.results)").catch(() => "?");
            assert.fail(`${label}: ${(err as Error).message.split("\n")[0]}\npage: ${state}\nserver saw: ${JSON.stringify(seen)}; closes: ${JSON.stringify(closes)}`);
          }
        };
        await waitPage("window.results && window.results.messages.length >= 3", "three echoes", 15_000);
        await waitUntil(() => seen.includes("text:ready"), 5000, "the page's ready");
        assert.equal(server.publish("news", `news ${nonce}`), `news ${nonce}`.length);
        await waitPage("window.results.messages.length >= 4", "the published message", 10_000);

        const r = await page.evaluate<PageResults>("window.results");
        assert.match(String(offered), /permessage-deflate/, "Chromium offers permessage-deflate");
        if (deflate) assert.match(String(r.extensions), /^permessage-deflate/);
        else assert.equal(r.extensions, "");
        assert.equal(r.protocol, "chat.v1");
        assert.deepEqual(r.messages, [
          { type: "text", text: "hello from chromium ✓" },
          { type: "binary", bytes: [0, 1, 2, 127, 128, 253, 254, 255] },
          { type: "text", text: "length 180000, all 'chromium ': true" },
          { type: "text", text: `news ${nonce}` },
        ]);
        assert.deepEqual(seen, ["text:hello from chromium ✓", "binary(8)", "text(180000)", "text:ready"]);
        assert.equal(r.errors, 0);

        await shoot();
        await page.evaluate("ws.close(4000, 'page done')");
        await waitPage("window.results.closed !== null", "the close", 5000);
        const closed = (await page.evaluate<PageResults["closed"]>("window.results.closed"))!;
        assert.deepEqual(closed, { code: 4000, reason: "page done", wasClean: true });
        await waitUntil(() => closes.length > 0, 5000, "server close handler");
        assert.deepEqual(closes, [{ code: 4000, reason: "page done" }]);
      } finally {
        await shoot().catch(() => {});
        await page.close().catch(() => {});
        await within(server.stop(true), 5000, "server.stop(true)");
      }
    });
  }
});
