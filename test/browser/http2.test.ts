// Headless Chromium over TLS: sockserve offers h2 by ALPN, the page's navigation entry reports
// nextHopProtocol "h2", and a page with 50 assets loads them all over one connection.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { makeCert } from "../support/ops-tls.js";
import { CHROMIUM_ARGS, ensureChromium } from "../support/static-chromium.js";
import { startServer, type Server } from "../support/server.js";

const ASSETS = 50;

describe("Chromium over HTTP/2", { timeout: 5 * 60_000 }, () => {
  let dir: string;
  let server: Server;
  let browser: Browser;
  const ports = new Map<string, number>();

  before(async () => {
    const executablePath = await ensureChromium();
    dir = mkdtempSync(path.join(tmpdir(), "sockserve-h2-browser-"));
    const cert = makeCert(dir, "server", "localhost");
    server = await startServer({
      tls: { cert: cert.cert, key: cert.key },
      fetch(request, srv) {
        const url = new URL(request.url);
        ports.set(url.pathname, srv.requestIP(request)?.port ?? -1);
        if (url.pathname === "/") {
          const imgs = Array.from({ length: ASSETS }, (_, i) => `<img src="/a/${i}.svg" width="8" height="8">`).join("");
          return new Response(`<!doctype html><title>h2</title><body>${imgs}</body>`, { headers: { "Content-Type": "text/html" } });
        }
        return new Response(`<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#0a0"/></svg>`, {
          headers: { "Content-Type": "image/svg+xml", "Cache-Control": "no-store" },
        });
      },
    });
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await server?.stop(true);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("negotiates h2 and loads 50 assets over one connection", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(`https://localhost:${server.port}/`, { waitUntil: "load" });
      const protocol = await page.evaluate('performance.getEntriesByType("navigation")[0].nextHopProtocol');
      assert.equal(protocol, "h2");
      const loaded = await page.evaluate("[...document.images].filter((img) => img.complete && img.naturalWidth === 8).length");
      assert.equal(loaded, ASSETS);
      const page50 = [...ports.entries()].filter(([p]) => p === "/" || p.startsWith("/a/")); // not /favicon.ico
      const used = new Set(page50.map(([, port]) => port));
      assert.equal(page50.length, ASSETS + 1);
      assert.equal(used.size, 1, `requests came over ${used.size} connections`);
    } finally {
      await context.close();
    }
  });
});
