// The chat example on two nodes with REDIS_URL (a private redis-server), behind Debian's nginx
// with the configuration of docs/deploying.md: headless Chromium pages on node A, on node B and
// through nginx each see the others' chat messages. Every process is stopped by PID.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { freePort, OpsProcess, waitFor } from "../support/ops-cli.js";
import { ensureNginx, startNginx } from "../support/ops-nginx.js";
import { startRedis, type RedisServer } from "../support/pubsub-redis.js";
import { CHROMIUM_ARGS, ensureChromium } from "../support/static-chromium.js";

const LISTENING = /^Listening on http:\/\/127\.0\.0\.1:(\d+)\//m;

async function startChat(redisUrl: string): Promise<{ proc: OpsProcess; port: number }> {
  const proc = new OpsProcess(["examples/chat/server.js"], { env: { PORT: "0", HOST: "127.0.0.1", REDIS_URL: redisUrl } });
  assert.ok(await waitFor(() => LISTENING.test(proc.stdout) || !proc.running, 15_000), `the chat did not start: ${proc.stderr}`);
  const m = LISTENING.exec(proc.stdout);
  assert.ok(m !== null, `the chat did not start: ${proc.stdout} ${proc.stderr}`);
  return { proc, port: Number(m[1]) };
}

/** join opens the chat at `url` and joins as `name`. */
async function join(browser: Browser, url: string, name: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator("#status", { hasText: /^Connected/ }).waitFor({ timeout: 15_000 }).catch(async (err: Error) => {
    throw new Error(`${url}: status ${JSON.stringify(await page.textContent("#status"))}: ${err.message}`);
  });
  await page.fill("#name", name);
  await page.click("#join button");
  return page;
}

const sees = (page: Page, text: string): Promise<void> => page.locator("#messages", { hasText: text }).waitFor({ timeout: 15_000 });

describe("the chat example on two nodes behind nginx, through Redis", { timeout: 180_000 }, () => {
  let redis: RedisServer;
  const nodes: { proc: OpsProcess; port: number }[] = [];
  let nginx: OpsProcess | null = null;
  let nginxPort = 0;
  let dir = "";
  let browser: Browser;

  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) nodes.push(await startChat(redis.url));
    dir = await mkdtemp(path.join(tmpdir(), "sockserve-chat-nginx-"));
    nginxPort = await freePort();
    nginx = await startNginx(ensureNginx(), dir, nginxPort, [nodes[0].port, nodes[1].port]);
    browser = await chromium.launch({ executablePath: await ensureChromium(), headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await nginx?.kill();
    for (const n of nodes) await n.proc.kill();
    await redis?.kill();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("shows each page's messages on the other node's pages", async () => {
    const ada = await join(browser, `http://127.0.0.1:${nodes[0].port}/`, "Ada");
    const bob = await join(browser, `http://127.0.0.1:${nodes[1].port}/`, "Bob");
    const cy = await join(browser, `http://127.0.0.1:${nginxPort}/`, "Cy");
    // Each join went through the broker; seeing the later joins proves the earlier pages' nodes subscribed.
    await sees(ada, "Bob joined");
    await sees(ada, "Cy joined");
    await sees(bob, "Cy joined");
    for (const [page, text] of [[ada, "hello from node A"], [bob, "hello from node B"], [cy, "hello through nginx"]] as const) {
      await page.fill("#text", text);
      await page.press("#text", "Enter");
    }
    for (const page of [ada, bob, cy]) for (const text of ["hello from node A", "hello from node B", "hello through nginx"]) await sees(page, text);
    // Exactly once: each text shows up once on every page.
    for (const page of [ada, bob, cy]) {
      const all = (await page.textContent("#messages")) ?? "";
      const counts = ["hello from node A", "hello from node B", "hello through nginx"].map((t) => all.split(t).length - 1);
      assert.deepEqual(counts, [1, 1, 1]);
    }
    for (const n of nodes) assert.ok(n.proc.running, `a chat node died: ${n.proc.stderr}`);
  });
});
