// Operations over HTTP/2 (node:http2 as the client): the health endpoint and the lame duck of a
// graceful stop on h2c and h2 over TLS, and serve({ workers: 2, http2: true }) answering h2c
// sessions from both workers, with requestIP on a stream and a SIGTERM drain of an in-flight stream.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { H2Client, h2Targets } from "../support/h2-fetch.js";
import { OpsProcess, childPids, tsxArgs } from "../support/ops-cli.js";
import { deferred, startServer, within } from "../support/server.js";

const HEALTH = "/.well-known/sockserve/health";
const targets = h2Targets();
after(() => targets.remove());

for (const target of targets.list) {
  describe(`health and the lame duck over HTTP/2, ${target.name}`, () => {
    it("health answers 200 (GET and HEAD) before the app, 503 during the lame duck; the in-flight stream finishes", async () => {
      const started = deferred();
      const release = deferred();
      const server = await startServer({
        ...target.options,
        health: true,
        shutdownDelay: 0.3,
        async fetch(req) {
          if (new URL(req.url).pathname !== "/slow") return new Response("app", { status: 404 });
          started.resolve();
          await release.promise;
          return new Response("slow done");
        },
      });
      const client = await H2Client.connect(target.origin(server.port));
      try {
        const ok = await client.request(HEALTH);
        assert.deepEqual([ok.status, ok.text, ok.get("cache-control")], [200, "ok\n", "no-store"]);
        const head = await client.request(HEALTH, { method: "HEAD" });
        assert.deepEqual([head.status, head.body.length], [200, 0]);
        assert.equal((await client.request(`${HEALTH}/x`)).text, "app");

        const slow = client.request("/slow");
        await within(started.promise, 3000, "the slow stream started");
        const goaway = new Promise<void>((resolve) => client.session.once("goaway", () => resolve()));
        const stopped = server.stop();
        const draining = await client.request(HEALTH);
        assert.deepEqual([draining.status, draining.text], [503, "draining\n"]);
        const fresh = await H2Client.connect(target.origin(server.port)); // still accepting in the lame duck
        assert.equal((await fresh.request(HEALTH)).status, 503);
        fresh.destroy();

        await within(goaway, 3000, "GOAWAY once the lame duck is over");
        release.resolve();
        const done = await slow;
        assert.deepEqual([done.status, done.text], [200, "slow done"]);
        await within(client.closed(), 3000, "the session closes after its last stream");
        await within(stopped, 3000, "stop() resolves");
      } finally {
        release.resolve();
        client.destroy();
        await server.stop(true);
      }
    });
  });
}

describe("serve({ workers: 2, http2: true })", () => {
  it("answers h2c sessions from both workers, requestIP on a stream, and drains an in-flight stream on SIGTERM", async () => {
    const proc = new OpsProcess(tsxArgs("test/support/ops-cluster-app.ts", JSON.stringify({ workers: 2, http2: true, drainTimeout: 5 })));
    const clients: H2Client[] = [];
    try {
      const port = Number((await proc.waitForLine(/^PRIMARY \d+ PORT (\d+) /m, 30_000))[1]);
      await proc.waitForLine(/^WORKER \d+ READY[\s\S]*^WORKER \d+ READY/m, 30_000);
      const pids = new Set<string>();
      for (let i = 0; i < 20 && pids.size < 2; i++) {
        const client = await H2Client.connect(`http://127.0.0.1:${port}`);
        clients.push(client);
        // Every stream of one session is answered by the worker that owns its connection.
        const replies = await Promise.all(Array.from({ length: 4 }, () => client.request("/pid")));
        const owners = new Set(replies.map((r) => r.text.split(" ")[0]));
        assert.equal(owners.size, 1, `one session, several workers: ${[...owners].join(", ")}`);
        pids.add([...owners][0]);
        const peer = await client.request("/peer");
        assert.equal(peer.text, `${[...owners][0]} ${client.localPort}`);
      }
      assert.equal(pids.size, 2, `workers seen over h2c: ${[...pids].join(", ")}`);
      assert.equal((await clients[0].request(HEALTH)).status, 200);

      const client = clients.at(-1)!;
      const slowStarts = (): number => proc.stdout.match(/^SLOW \d+$/gm)?.length ?? 0;
      const slow = client.request("/slow?ms=800");
      assert.ok(await proc.until(() => slowStarts() > 0, 5000), "the slow stream started");
      proc.signal("SIGTERM");
      const done = await slow;
      assert.equal(done.status, 200);
      assert.match(done.text, /^slow \d+$/);
      await within(client.closed(), 5000, "the session closes after its last stream");
      const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
      assert.ok(exit !== null, "the primary exits");
      assert.equal(exit.code, 0, `exit ${exit.code} ${exit.signal}; stderr: ${proc.stderr}`);
    } finally {
      for (const c of clients) c.destroy();
      await proc.kill(childPids(proc.pid));
    }
  });
});
