// 103 Early Hints (RFC 8297) through server.writeEarlyHints: sent before the final response over
// HTTP/1.1, never to an HTTP/1.0 client (RFC 9110 §15.2), seen by a raw socket, curl and Chromium.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { RawClient, describeBytes } from "../support/raw.js";
import { startServer, type Server } from "../support/server.js";

const LINK = "</style.css>; rel=preload; as=style";
const PAGE = '<!doctype html><html><head><link rel="stylesheet" href="/style.css"></head><body><p id="p">hinted</p></body></html>';

describe("103 Early Hints", () => {
  let server: Server;
  const sent: boolean[] = [];
  before(async () => {
    server = await startServer({
      fetch(request, srv) {
        const path = new URL(request.url).pathname;
        if (path === "/style.css") return new Response("#p { color: rgb(0, 128, 0); }", { headers: { "Content-Type": "text/css" } });
        if (path === "/bad") {
          try {
            srv.writeEarlyHints(request, { Link: "a\r\nInjected: yes" });
          } catch (err) {
            return new Response(`refused: ${(err as Error).name}`);
          }
          return new Response("sent");
        }
        sent.push(srv.writeEarlyHints(request, { Link: LINK }));
        sent.push(srv.writeEarlyHints(request, [["Link", "</app.js>; rel=preload; as=script"]]));
        return new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      },
    });
  });
  after(() => server.stop(true));

  it("sends each 103 with its fields before the final response, over HTTP/1.1", async () => {
    sent.length = 0;
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      const [final] = await client.waitForResponses(1);
      const text = client.text;
      const first = text.indexOf("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n");
      const second = text.indexOf("HTTP/1.1 103 Early Hints\r\nLink: </app.js>; rel=preload; as=script\r\n\r\n");
      const ok = text.indexOf("HTTP/1.1 200 OK\r\n");
      assert.ok(first === 0 && second > first && ok > second, describeBytes(text));
      assert.equal(final.text, PAGE);
      assert.deepEqual(sent, [true, true]);
      assert.equal(client.responses().filter((r) => r.interim).length, 2);
    } finally {
      client.destroy();
    }
  });

  it("sends nothing interim to an HTTP/1.0 client, and says so", async () => {
    sent.length = 0;
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET / HTTP/1.0\r\n\r\n");
      await client.waitForResponses(1);
      assert.ok(!client.text.includes(" 103 "), describeBytes(client.text));
      assert.match(client.text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.deepEqual(sent, [false, false]);
    } finally {
      client.destroy();
    }
  });

  it("refuses a field value that would break the head", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET /bad HTTP/1.1\r\nHost: a\r\n\r\n");
      const [final] = await client.waitForResponses(1);
      assert.equal(final.text, "refused: ResponseHeadError");
      assert.ok(!client.text.includes("Injected"), describeBytes(client.text));
    } finally {
      client.destroy();
    }
  });

  it("curl shows the 103 and then the page", async () => {
    const c = await promisify(execFile)("curl", ["-sS", "-i", `http://127.0.0.1:${server.port}/`], { encoding: "latin1", timeout: 10_000 });
    assert.match(c.stdout, /^HTTP\/1\.1 103 Early Hints\r\nLink: <\/style\.css>; rel=preload; as=style\r\n\r\n/);
    assert.match(c.stdout, /HTTP\/1\.1 200 OK\r\n[\s\S]*hinted/);
  });

  it("Chromium loads the hinted page and its stylesheet", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const response = await page.goto(`http://127.0.0.1:${server.port}/`);
      assert.equal(response?.status(), 200);
      assert.equal(await page.textContent("#p"), "hinted");
      const color = await page.$eval("#p", (el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
      assert.equal(color, "rgb(0, 128, 0)");
    } finally {
      await browser.close();
    }
  });
});
