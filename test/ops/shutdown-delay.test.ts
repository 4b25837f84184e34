// Lame-duck drain (`shutdownDelay`, CLI `--shutdown-delay S`, as Caddy's shutdown_delay): a stop
// keeps accepting and serving for the delay while the health endpoint answers 503 on new and old
// connections, then closes the listener and drains. serve() with server.stop(), and the CLI on
// SIGTERM with and without --workers 2, polled on new connections all through the stop.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { OpsClient } from "../support/ops-client.js";
import { startOpsCli } from "../support/ops-cli.js";
import { startServer } from "../support/server.js";

const HEALTH = "/.well-known/sockserve/health";

/** Outcome of one request on a new connection: its status, or how the connection failed. */
type Outcome = number | "refused" | "closed";

/** once sends one GET on a new connection (Connection: close) and reads the status line. */
function once(port: number, target: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let data = "";
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write(`GET ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`));
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED" ? "refused" : "closed"));
    socket.on("close", () => {
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(data);
      resolve(m === null ? "closed" : Number(m[1]));
    });
    socket.setTimeout(5000, () => socket.destroy());
  });
}

interface Poll {
  /** at and end: ms since the stop began, when the poll started and when it had its answer. */
  at: number;
  end: number;
  health: Outcome;
  page: Outcome;
}

/**
 * pollThroughStop polls health and an ordinary page on new connections, back to back, from
 * `stop()` until the port refuses twice running (bounded by `limitMs`), with times since the stop.
 */
async function pollThroughStop(port: number, stop: () => void, limitMs: number): Promise<Poll[]> {
  const polls: Poll[] = [];
  const t0 = Date.now();
  stop();
  let refusedInARow = 0;
  while (refusedInARow < 2 && Date.now() - t0 < limitMs) {
    const at = Date.now() - t0;
    const [health, page] = await Promise.all([once(port, HEALTH), once(port, "/index.html")]);
    polls.push({ at, end: Date.now() - t0, health, page });
    refusedInARow = health === "refused" ? refusedInARow + 1 : 0;
  }
  return polls;
}

/** summary shows the polls as runs: "200/200 x3 0-5ms, 503/200 x400 6-1998ms, ...". */
function summary(polls: Poll[]): string {
  const runs: string[] = [];
  let i = 0;
  while (i < polls.length) {
    let j = i;
    while (j + 1 < polls.length && polls[j + 1].health === polls[i].health && polls[j + 1].page === polls[i].page) j++;
    runs.push(`${polls[i].health}/${polls[i].page} x${j - i + 1} ${polls[i].at}-${polls[j].end}ms`);
    i = j + 1;
  }
  return runs.join(", ");
}

/**
 * assertLameDuck checks the polls: 200 until the server has taken the signal, then only 503 with
 * every page served, no refusal before the delay has passed, and refusals at the end.
 */
function assertLameDuck(polls: Poll[], delayMs: number): void {
  const show = summary(polls);
  const first503 = polls.findIndex((p) => p.health === 503);
  assert.ok(first503 !== -1 && polls[first503].at < 1000, `no 503 soon after the stop: ${show}`);
  assert.ok(polls.slice(0, first503).every((p) => p.health === 200 && p.page === 200), `before the 503s: ${show}`);
  const gone = (o: Outcome): boolean => o === "refused" || o === "closed";
  const firstGone = polls.findIndex((p) => gone(p.health) || gone(p.page));
  assert.ok(firstGone !== -1, `the port never closed: ${show}`);
  assert.ok(polls[firstGone].end >= delayMs, `refused or cut before the delay ended: ${show}`);
  const during = polls.slice(first503, firstGone);
  assert.ok(during.length >= 5, `too few polls inside the delay: ${show}`);
  assert.ok(during.every((p) => p.health === 503 && p.page === 200), `during the delay: ${show}`);
  assert.ok(polls.slice(firstGone).every((p) => p.health !== 200), `200 after the stop: ${show}`);
  assert.equal(polls[polls.length - 1].health, "refused", `no refusal at the end: ${show}`);
}

describe("serve({ shutdownDelay })", () => {
  it("stop(): health 503 on new and old connections, pages served, then the port closes", async () => {
    const server = await startServer({
      health: true,
      shutdownDelay: 1,
      fetch: () => new Response("page"),
    });
    const port = server.port;
    const old = await OpsClient.connect({ port });
    try {
      await old.write(`GET ${HEALTH} HTTP/1.1\r\nHost: a\r\n\r\n`);
      assert.equal((await old.waitForResponses(1))[0].status, 200);
      const t0 = Date.now();
      const stopped = server.stop();
      await old.write(`GET ${HEALTH} HTTP/1.1\r\nHost: a\r\n\r\n`);
      const [, h] = await old.waitForResponses(2);
      assert.equal(h.status, 503, "the old keep-alive connection sees 503");
      assert.equal(h.text, "draining\n");
      await old.write("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
      const [, , page] = await old.waitForResponses(3);
      assert.equal(page.text, "page", "the old connection is still served");
      assert.equal(await once(port, HEALTH), 503, "a new connection is accepted, and sees 503");
      assert.equal(await once(port, "/x"), 200);
      await stopped;
      assert.ok(Date.now() - t0 >= 950, `stop() resolved after ${Date.now() - t0} ms, before the delay`);
      assert.equal(await once(port, HEALTH), "refused");
    } finally {
      old.destroy();
      await server.stop(true);
    }
  });

  it("stop(true) during the delay cuts at once", async () => {
    const server = await startServer({ health: true, shutdownDelay: 30, fetch: () => new Response("page") });
    const t0 = Date.now();
    void server.stop();
    assert.equal(await once(server.port, HEALTH), 503);
    await server.stop(true);
    assert.ok(Date.now() - t0 < 5000, "the forced stop waited for the delay");
    assert.equal(await once(server.port, HEALTH), "refused");
  });

  it("a negative shutdownDelay is refused", async () => {
    await assert.rejects(startServer({ shutdownDelay: -1, fetch: () => new Response("x") }), RangeError);
  });
});

describe("CLI --shutdown-delay 2: SIGTERM", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sockserve-lameduck-"));
  before(() => {
    writeFileSync(path.join(dir, "index.html"), "hi\n");
    mkdirSync(path.join(dir, "cgi-bin"));
    writeFileSync(path.join(dir, "cgi-bin", "pid"), '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s\\n" "$PPID"\n');
    chmodSync(path.join(dir, "cgi-bin", "pid"), 0o755);
  });

  /** servingPids asks until `want` distinct serving processes have answered (a stop must reach every worker). */
  const servingPids = async (port: number, want: number): Promise<void> => {
    const pids = new Set<string>();
    const t0 = Date.now();
    while (pids.size < want && Date.now() - t0 < 15_000) {
      const client = await OpsClient.connect({ port });
      await client.write("GET /cgi-bin/pid HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
      const [res] = await client.waitForResponses(1, { timeoutMs: 5000 });
      client.destroy();
      pids.add(res.text.trim());
    }
    assert.equal(pids.size, want, "every worker is serving");
  };
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const workers of [[], ["--workers", "2"]]) {
    it(`polls on new connections: 200, then only 503 for 2 s, never refused, then refused${workers.length > 0 ? " (--workers 2)" : ""}`, async () => {
      const { cli, port } = await startOpsCli([dir, "--port", "0", "--quiet", "--health", "--cgi", "--shutdown-delay", "2", ...workers]);
      try {
        await servingPids(port, workers.length > 0 ? 2 : 1);
        for (let i = 0; i < 4; i++) assert.equal(await once(port, HEALTH), 200, "healthy before the stop");
        const polls = await pollThroughStop(port, () => cli.signal("SIGTERM"), 8000);
        assertLameDuck(polls, 2000);
        const exit = await Promise.race([cli.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
        assert.ok(exit !== null, "the CLI exits");
        assert.equal(exit.code, 0, `exit ${exit.code} ${exit.signal}; stderr: ${cli.stderr}`);
      } finally {
        await cli.kill();
      }
    });
  }
});
