// Headless Chromium (playwright-core, Debian's /usr/bin/chromium) loads a page, its script and
// its JSON through serve({ compress: true }): each arrives coded (br or gzip) and the page works.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, ensureChromium } from "../support/static-chromium.js";
import { startServer, type Server } from "../support/server.js";

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>compressed</title><script src="/app.js"></script></head>
<body><h1>Compressed page</h1><ul id="list"></ul>${"<p>filler text that compresses well</p>\n".repeat(100)}</body></html>`;
const SCRIPT = `${"// padding so the script is above the threshold\n".repeat(40)}
addEventListener("DOMContentLoaded", async () => {
  const items = await (await fetch("/items.json")).json();
  document.getElementById("list").innerHTML = items.map((i) => "<li>" + i.name + "</li>").join("");
});`;
const ITEMS = Array.from({ length: 100 }, (_, i) => ({ name: `item ${i}` }));

describe("Chromium through serve({ compress: true })", () => {
  let browser: Browser;
  let server: Server;
  before(async () => {
    const executablePath = await ensureChromium();
    server = await startServer({
      compress: true,
      fetch(request) {
        const path = new URL(request.url).pathname;
        if (path === "/app.js") return new Response(SCRIPT, { headers: { "Content-Type": "text/javascript; charset=utf-8" } });
        if (path === "/items.json") return Response.json(ITEMS);
        return new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      },
    });
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await server?.stop(true);
  });

  it("loads the page, its script and its data, each coded", async () => {
    const page = await browser.newPage();
    try {
      const codings = new Map<string, string | undefined>();
      page.on("response", (res) => codings.set(new URL(res.url()).pathname, res.headers()["content-encoding"]));
      const response = await page.goto(`${server.url.href}index.html`, { waitUntil: "load" });
      assert.equal(response?.status(), 200);
      await page.waitForFunction('document.querySelectorAll("#list li").length === 100', undefined, { timeout: 10_000 });
      assert.equal(await page.locator("#list li").last().innerText(), "item 99");
      assert.equal(await page.locator("h1").innerText(), "Compressed page");
      for (const path of ["/index.html", "/app.js", "/items.json"]) assert.match(codings.get(path) ?? "none", /^(br|gzip)$/, `${path}: ${codings.get(path)}`);
    } finally {
      await page.close();
    }
  });
});
