// Headless Chromium (playwright-core, Debian's /usr/bin/chromium, installed with
// apt-get when missing) against serveStatic: a directory listing shows the files and
// its links work (odd names too: a backslash, NFC/NFD, 255 bytes), a missing file shows the HTML
// 404 page, and an HTML page's <img> loads. Screenshots go to artifacts/.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { makePng, makeTree, startStatic, type StaticServer, type TempTree } from "../support/static-fixture.js";
import { CHROMIUM_ARGS, ensureChromium } from "../support/static-chromium.js";
import { REPO } from "../support/static-cli.js";

const ARTIFACTS = path.join(REPO, "artifacts");
const PNG = makePng(120, 80);
const LISTED = ["alpha-dir", "notes.txt", "héllo wörld.txt", "a&b <c>.txt", "pic.png"];
// Names a browser could mangle on the way: "\\" (which URLs treat as "/"), "#", "?", "%",
// NFC against NFD, an emoji, a control character, 255 bytes.
const ODD = ["back\\slash.txt", "hash#q?.txt", "100%.txt", "caf\u00e9.txt", "cafe\u0301.txt", "\u{1f600} smile.txt", "ctl\u0001.txt", `${"l".repeat(251)}.txt`];

describe("Chromium against serveStatic", { timeout: 15 * 60_000 }, () => {
  let tree: TempTree;
  let site: StaticServer;
  let browser: Browser;

  before(async () => {
    const executablePath = await ensureChromium();
    tree = await makeTree({
      "site/files/alpha-dir/inner.txt": "inner",
      "site/files/notes.txt": "some notes",
      "site/files/héllo wörld.txt": "unicode name",
      "site/files/a&b <c>.txt": "escaped name",
      "site/files/pic.png": PNG,
      "site/files/.env": "SECRET=1",
      "site/page/index.html": `<!doctype html>
<html><head><meta charset="utf-8"><title>sockserve page</title><link rel="stylesheet" href="style.css"></head>
<body><h1>Static page</h1><p class="note">Served by sockserve</p><img id="pic" src="pic.png" alt="gradient" width="240" height="160"></body></html>`,
      "site/page/style.css": "body { font-family: sans-serif; background: #f4f7fb; } .note { color: rgb(0, 128, 0); }",
      "site/page/pic.png": PNG,
      ...Object.fromEntries(ODD.map((name, i) => [`site/odd/${name}`, `odd file ${i}`])),
    });
    site = await startStatic({ root: tree.root });
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await tree?.remove();
  });

  it("shows a directory listing with every visible name, and its links open the files", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    try {
      const response = await page.goto(`${site.base}/files/`);
      assert.equal(response?.status(), 200);
      const links = await page.locator("a").allInnerTexts();
      const texts = links.map((t) => t.trim().replace(/\/$/, ""));
      for (const name of LISTED) assert.ok(texts.includes(name), `the listing does not show ${name}: ${JSON.stringify(texts)}`);
      assert.ok(!texts.includes(".env"), "the listing shows .env");
      const body = await page.locator("body").innerText();
      assert.ok(!body.includes(".env"));
      await page.screenshot({ path: path.join(ARTIFACTS, "static-listing.png"), fullPage: true });

      // Clicking entries whose names need escaping and encoding opens the right file.
      for (const [name, content] of [
        ["héllo wörld.txt", "unicode name"],
        ["a&b <c>.txt", "escaped name"],
      ] as const) {
        await page.goto(`${site.base}/files/`);
        await Promise.all([page.waitForLoadState("load"), page.getByRole("link", { name, exact: true }).click()]);
        assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/files/${name}`);
        assert.equal((await page.locator("body").innerText()).trim(), content);
      }
      await page.goto(`${site.base}/files/`);
      await Promise.all([page.waitForLoadState("load"), page.locator("a", { hasText: "alpha-dir" }).first().click()]);
      assert.equal(new URL(page.url()).pathname, "/files/alpha-dir/");
      assert.ok((await page.locator("a").allInnerTexts()).some((t) => t.includes("inner.txt")));
    } finally {
      await page.close();
    }
  });

  it("clicking each odd name in a listing opens that file; a missing page is the HTML 404", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    try {
      for (const [i, name] of ODD.entries()) {
        await page.goto(`${site.base}/odd/`);
        const href = encodeURIComponent(name);
        await Promise.all([
          page.waitForURL((url) => url.pathname !== "/odd/"),
          // An encoded name holds only [A-Za-z0-9%-_.!~*'()], all safe inside a quoted CSS attribute value.
          page.locator(`a[href="${href}"]`).click(),
        ]);
        assert.equal(new URL(page.url()).pathname, `/odd/${href}`, name);
        assert.equal((await page.locator("body").innerText()).trim(), `odd file ${i}`, JSON.stringify(name));
      }
      const missing = await page.goto(`${site.base}/odd/no-such-file.txt`);
      assert.equal(missing?.status(), 404);
      assert.equal(await page.locator("h1").innerText(), "404 Not Found");
      await page.screenshot({ path: path.join(ARTIFACTS, "static-404.png") });
    } finally {
      await page.close();
    }
  });

  it("loads an HTML page with its stylesheet and image", async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 400 } });
    try {
      const failed: string[] = [];
      page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
      page.on("response", (r) => {
        if (r.status() >= 400) failed.push(`${r.url()} ${r.status()}`);
      });
      const response = await page.goto(`${site.base}/page/`, { waitUntil: "load" });
      assert.equal(response?.status(), 200);
      assert.equal(await page.title(), "sockserve page");
      const size = await page.locator("#pic").evaluate((img: { complete: boolean; naturalWidth: number; naturalHeight: number }) => ({
        complete: img.complete,
        width: img.naturalWidth,
        height: img.naturalHeight,
      }));
      assert.deepEqual(size, { complete: true, width: 120, height: 80 }, "the image did not load");
      const color = await page.locator(".note").evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
      assert.equal(color, "rgb(0, 128, 0)", "the stylesheet was not applied");
      assert.deepEqual(failed.filter((f) => !f.includes("favicon")), []);
      await page.screenshot({ path: path.join(ARTIFACTS, "static-page.png") });
    } finally {
      await page.close();
    }
  });
});
