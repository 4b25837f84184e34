// Several worker processes sharing one port (node:cluster), on two targets: the built CLI with
// --workers 2 (worker PIDs come from a CGI script printing its parent's PID) and serve({ workers: 2 })
// in test/support/ops-cluster-app.ts (which answers with process.pid). Both: two worker PIDs, a
// worker killed with SIGKILL is logged and replaced, SIGHUP restarts every worker under load with no
// failed request, SIGTERM drains under load (in-flight requests finish, health says 503, idle
// connections close, exit 0). The serve() target adds pub/sub across workers, WebSocket close 1001
// on stop, ClusterServer's API and the drain timeout.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { OpsClient, runLoad, type LoadResult } from "../support/ops-client.js";
import { OpsProcess, childPids, isAlive, parentPid, startOpsCli, tsxArgs, waitFor } from "../support/ops-cli.js";
import { WsPeer } from "../support/ws-peer.js";

const HEALTH = "/.well-known/sockserve/health";
const dir = mkdtempSync(path.join(tmpdir(), "sockserve-workers-"));
const versionFile = path.join(dir, "version.txt");

before(() => {
  writeFileSync(path.join(dir, "index.html"), "<p>workers</p>\n");
  mkdirSync(path.join(dir, "cgi-bin"));
  // A CGI script's parent is the worker that runs it.
  writeFileSync(path.join(dir, "cgi-bin", "pid"), '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s cgi\\n" "$PPID"\n');
  writeFileSync(path.join(dir, "cgi-bin", "slow"), '#!/bin/sh\necho started >&2\nsleep 1\nprintf "Content-Type: text/plain\\r\\n\\r\\nslow %s\\n" "$PPID"\n');
  chmodSync(path.join(dir, "cgi-bin", "pid"), 0o755);
  chmodSync(path.join(dir, "cgi-bin", "slow"), 0o755);
  writeFileSync(versionFile, "v1\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Cluster is a running primary with its workers. */
interface Cluster {
  proc: OpsProcess;
  port: number;
  /** pidPath answers "<worker pid> ..." */
  pidPath: string;
  /** slowPath takes about 1 s; its start shows as `slowStarted` in the output. */
  slowPath: string;
  slowStarted: RegExp;
  loadPath: string;
}

interface Target {
  name: string;
  /** script: the serve() app, which has WebSockets and versions. */
  script: boolean;
  start(options?: { drainTimeout?: number }): Promise<Cluster>;
}

const targets: Target[] = [
  {
    name: "CLI --workers 2",
    script: false,
    async start(options = {}) {
      const { cli, port } = await startOpsCli([dir, "--port", "0", "--workers", "2", "--health", "--cgi", "--quiet", "--drain-timeout", String(options.drainTimeout ?? 5)]);
      return { proc: cli, port, pidPath: "/cgi-bin/pid", slowPath: "/cgi-bin/slow", slowStarted: /cgi \/cgi-bin\/slow: started/, loadPath: "/index.html" };
    },
  },
  {
    name: "serve({ workers: 2 })",
    script: true,
    async start(options = {}) {
      const proc = new OpsProcess(tsxArgs("test/support/ops-cluster-app.ts", JSON.stringify({ workers: 2, drainTimeout: options.drainTimeout ?? 5, versionFile })));
      try {
        const match = await proc.waitForLine(/^PRIMARY (\d+) PORT (\d+) URL (\S+) WORKERS (\d+) ISPRIMARY (\w+)$/m, 30_000);
        return { proc, port: Number(match[2]), pidPath: "/pid", slowPath: "/slow?ms=1000", slowStarted: /^SLOW \d+$/m, loadPath: "/pid" };
      } catch (err) {
        await proc.kill();
        throw err;
      }
    },
  },
];

/** get sends one GET on a fresh connection (Connection: close) and returns status and body. */
async function get(port: number, target: string): Promise<{ status: number; text: string; connection: string | undefined }> {
  const client = await OpsClient.connect({ port });
  try {
    await client.write(`GET ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    const [response] = await client.waitForResponses(1, { timeoutMs: 10_000 });
    return { status: response.status, text: response.text, connection: response.get("connection") };
  } finally {
    client.destroy();
  }
}

/** pidOf reads the worker PID at the start of an answer. */
const pidOf = (text: string): number => Number(/^(\d+)/.exec(text)?.[1] ?? NaN);

/** workerPids asks until `want` distinct worker PIDs answered (every answer must be 200). */
async function workerPids(cluster: Cluster, want = 2, timeoutMs = 15_000): Promise<{ pids: Set<number>; texts: string[] }> {
  const pids = new Set<number>();
  const texts: string[] = [];
  const end = Date.now() + timeoutMs;
  while (pids.size < want && Date.now() < end) {
    const reply = await get(cluster.port, cluster.pidPath);
    assert.equal(reply.status, 200, `GET ${cluster.pidPath}: ${reply.status} ${reply.text}`);
    pids.add(pidOf(reply.text));
    texts.push(reply.text);
    if (pids.size < want) await new Promise((r) => setTimeout(r, 20));
  }
  return { pids, texts };
}

/** refusedNow tells whether a fresh connection to `port` is refused. */
function refusedNow(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

const describeLoad = (load: LoadResult): string =>
  `ok=${load.ok} retries=${load.retries} connections=${load.connections} closes=${load.closes} failures=${JSON.stringify(load.failures.slice(0, 10))} refused=${JSON.stringify(load.refused.slice(0, 5))} unanswered=${JSON.stringify(load.unanswered.slice(0, 5))}`;

/** stopCluster ends the primary and any worker it left, by PID. */
async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  if (cluster === undefined) return;
  const workers = childPids(cluster.proc.pid);
  await cluster.proc.kill(workers);
}

for (const target of targets) {
  describe(target.name, () => {
    let cluster: Cluster;
    before(async () => {
      cluster = await target.start();
    });
    after(async () => {
      await stopCluster(cluster);
    });

    it("two worker processes answer; they are children of the primary, which serves nothing itself", async () => {
      const { pids } = await workerPids(cluster);
      assert.equal(pids.size, 2, `want answers from 2 workers, got ${[...pids].join(", ")}`);
      for (const pid of pids) {
        assert.notEqual(pid, cluster.proc.pid, "the primary must not serve");
        assert.equal(parentPid(pid), cluster.proc.pid, `worker ${pid} is a child of the primary`);
      }
      assert.deepEqual(new Set(childPids(cluster.proc.pid)), pids, "exactly the two workers run");
      if (target.script) {
        const line = /^PRIMARY (\d+) PORT (\d+) URL (\S+) WORKERS (\d+) ISPRIMARY (\w+)$/m.exec(cluster.proc.stdout)!;
        assert.equal(Number(line[1]), cluster.proc.pid);
        assert.equal(line[3], `http://127.0.0.1:${cluster.port}/`, "ClusterServer.url");
        assert.equal(line[4], "2", "ClusterServer.workers");
        assert.equal(line[5], "true", "ClusterServer.isPrimary");
      }
    });

    it("a worker killed with SIGKILL is logged and replaced, and requests keep succeeding", async () => {
      const { pids } = await workerPids(cluster);
      const [victim, survivor] = [...pids] as [number, number];
      process.kill(victim, "SIGKILL");
      const logged = new RegExp(`worker ${victim} died \\(SIGKILL\\); restarting in \\d+ ms`);
      assert.ok(await cluster.proc.until(() => logged.test(cluster.proc.stderr), 5000), `no restart log line; stderr: ${cluster.proc.stderr}`);
      // From now on every request must succeed, while the replacement starts.
      let replacement: number | undefined;
      let requests = 0;
      const end = Date.now() + 20_000;
      while (replacement === undefined && Date.now() < end) {
        const reply = await get(cluster.port, cluster.pidPath);
        requests++;
        assert.equal(reply.status, 200, `request ${requests} after the kill: ${reply.status} ${reply.text}`);
        const pid = pidOf(reply.text);
        assert.notEqual(pid, victim, "the killed worker cannot answer");
        if (pid !== survivor) replacement = pid;
      }
      assert.ok(replacement !== undefined, "a new worker PID appeared");
      assert.equal(parentPid(replacement), cluster.proc.pid);
      assert.equal(isAlive(victim), false);
      assert.ok(await waitFor(() => childPids(cluster.proc.pid).length === 2, 5000), `two workers again: ${childPids(cluster.proc.pid).join(",")}`);
    });

    it("SIGHUP: a rolling restart under load fails no request, and every worker PID is new", async (t) => {
      const { pids: before } = await workerPids(cluster);
      const restartsBefore = cluster.proc.stderr.split("rolling restart done").length;
      if (target.script) writeFileSync(versionFile, "v2\n");
      const restarted = (): boolean => cluster.proc.stderr.split("rolling restart done").length > restartsBefore;
      const timer = setTimeout(() => cluster.proc.signal("SIGHUP"), 300);
      const load = await runLoad({
        endpoint: { port: cluster.port },
        path: cluster.loadPath,
        clients: 4,
        durationMs: 3000,
        keepGoing: () => !restarted(),
        maxDurationMs: 30_000,
      });
      clearTimeout(timer);
      t.diagnostic(describeLoad(load));
      assert.ok(restarted(), `the rolling restart finished during the load; stderr: ${cluster.proc.stderr}`);
      assert.match(cluster.proc.stderr, /rolling restart of 2 worker\(s\)/);
      assert.deepEqual(load.failures, [], describeLoad(load));
      assert.deepEqual(load.refused, [], describeLoad(load));
      assert.deepEqual(load.unanswered, [], describeLoad(load));
      assert.ok(load.ok > 50, `the load ran: ${describeLoad(load)}`);
      const { pids: after, texts } = await workerPids(cluster);
      assert.equal(after.size, 2);
      for (const pid of after) assert.ok(!before.has(pid), `worker ${pid} was there before the restart (old: ${[...before].join(",")})`);
      for (const pid of before) assert.ok(await waitFor(() => !isAlive(pid), 5000), `old worker ${pid} exited`);
      if (target.script) {
        for (const text of texts) assert.match(text, / v2$/, "the new workers run the new code");
      }
    });

    if (target.script) {
      it("pub/sub crosses workers: ws.publish, server.publish in a worker, ClusterServer.publish in the primary", async () => {
        const peers = new Map<number, WsPeer>();
        const extra: WsPeer[] = [];
        try {
          for (let i = 0; i < 40 && peers.size < 2; i++) {
            const peer = await WsPeer.connect(`ws://127.0.0.1:${cluster.port}/ws`);
            await peer.until(() => peer.messages.length >= 1, "greeting");
            const pid = pidOf(peer.messages[0].text.replace(/^hello /, ""));
            if (peers.has(pid)) extra.push(peer);
            else peers.set(pid, peer);
          }
          assert.equal(peers.size, 2, "a WebSocket client on each worker");
          const [[pidA, a], [pidB, b]] = [...peers] as [[number, WsPeer], [number, WsPeer]];
          for (const p of [a, b]) p.messages.splice(0);

          a.ws.send("pub:from-a");
          await b.until(() => b.messages.some((m) => m.text === `${pidA}:from-a`), "ws.publish from worker A at worker B");
          b.ws.send("pub:from-b");
          await a.until(() => a.messages.some((m) => m.text === `${pidB}:from-b`), "ws.publish from worker B at worker A");
          assert.ok(!a.messages.some((m) => m.text.endsWith(":from-a")), "not to the sender itself");

          const reply = await get(cluster.port, "/publish?msg=from-http");
          assert.equal(reply.status, 200);
          for (const p of [a, b]) await p.until(() => p.messages.some((m) => m.text === "from-http"), "server.publish in one worker reaches both");

          cluster.proc.send("publish from-primary");
          for (const p of [a, b]) await p.until(() => p.messages.some((m) => m.text === "from-primary"), "ClusterServer.publish reaches both");
        } finally {
          for (const p of [...peers.values(), ...extra]) p.ws.terminate();
        }
      });

      it("ClusterServer.rollingRestart() replaces both workers", async () => {
        const { pids: before } = await workerPids(cluster);
        const done = cluster.proc.stdout.split("RESTARTED WORKERS").length;
        cluster.proc.send("restart");
        assert.ok(await cluster.proc.until(() => cluster.proc.stdout.split("RESTARTED WORKERS").length > done, 30_000), `no restart; ${cluster.proc.stderr}`);
        assert.match(cluster.proc.stdout, /RESTARTED WORKERS 2$/m);
        const { pids: after } = await workerPids(cluster);
        for (const pid of after) assert.ok(!before.has(pid), `worker ${pid} is new`);
      });
    }

    it("SIGTERM under load: in-flight requests finish, health says 503, idle connections close, exit 0", async (t) => {
      const workers = [...(await workerPids(cluster)).pids];
      const proc = cluster.proc;
      let sigtermAt = Infinity;
      const loading = runLoad({ endpoint: { port: cluster.port }, path: cluster.loadPath, clients: 4, durationMs: 20_000, stop: () => !proc.running });

      // An idle keep-alive connection (one exchange done).
      const idle = await OpsClient.connect({ port: cluster.port });
      await idle.write(`GET ${cluster.loadPath} HTTP/1.1\r\nHost: a\r\n\r\n`);
      await idle.waitForResponses(1);
      const idleBytes = idle.data.length;

      // A slow request in flight.
      const slowStarts = (): number => (proc.stdout + proc.stderr).match(new RegExp(cluster.slowStarted.source, "gm"))?.length ?? 0;
      const startsBefore = slowStarts();
      const slow = await OpsClient.connect({ port: cluster.port });
      await slow.write(`GET ${cluster.slowPath} HTTP/1.1\r\nHost: a\r\n\r\n`);
      assert.ok(await proc.until(() => slowStarts() > startsBefore, 5000), "the slow request started");

      // Health checks whose request head is half sent, so their connections are busy when the drain
      // begins. Each is pipelined behind a complete request, whose answer shows that a worker owns the
      // connection (node:cluster's primary may still hold a connection it accepted but has not handed
      // out; those are closed with the listener).
      const health = await Promise.all(Array.from({ length: 4 }, () => OpsClient.connect({ port: cluster.port })));
      for (const h of health) await h.write(`GET ${cluster.loadPath} HTTP/1.1\r\nHost: a\r\n\r\nGET ${HEALTH} HTTP/1.1\r\nHost: a\r\n`);
      for (const h of health) await h.waitForResponses(1);

      // WebSockets, one per worker where possible (serve() target).
      const sockets: WsPeer[] = [];
      if (target.script) {
        const seen = new Set<number>();
        for (let i = 0; i < 20 && seen.size < 2; i++) {
          const peer = await WsPeer.connect(`ws://127.0.0.1:${cluster.port}/ws`);
          await peer.until(() => peer.messages.length >= 1, "greeting");
          seen.add(pidOf(peer.messages[0].text.replace(/^hello /, "")));
          sockets.push(peer);
        }
      }

      try {
        sigtermAt = Date.now();
        proc.signal("SIGTERM");
        // The listening socket goes away: new connections are refused.
        assert.ok(await waitFor(() => refusedNow(cluster.port), 5000, 20), "new connections are refused once draining");

        for (const h of health) await h.write("\r\n");
        for (const [i, h] of health.entries()) {
          await h.until(() => h.ended || h.finalResponses().length > 1);
          assert.equal(h.finalResponses().length, 2, `health check ${i} got no answer (closed: ${h.ended}); bytes: ${JSON.stringify(h.text)}`);
          const response = h.finalResponses()[1];
          assert.equal(response.status, 503, `health while draining: ${response.status} ${response.text}`);
          assert.equal(response.text, "draining\n");
          assert.equal(response.get("connection"), "close");
          assert.ok(await h.waitForClose(), "closed after the 503");
        }

        assert.ok(await idle.waitForClose(3000), "the idle keep-alive connection is closed at once");
        assert.equal(idle.data.length, idleBytes, "nothing more was sent on it");

        for (const peer of sockets) {
          await peer.until(() => peer.closed !== null, "close");
          assert.equal(peer.closed!.code, 1001, `WebSocket closed with 1001, got ${JSON.stringify(peer.closed)}`);
        }

        const [done] = await slow.waitForResponses(1, { timeoutMs: 10_000 });
        assert.equal(done.status, 200, `the in-flight request: ${done.status} ${done.text}`);
        assert.match(done.text, /^slow \d+/);
        assert.equal(done.get("connection"), "close", "its response carries Connection: close");

        const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
        assert.ok(exit !== null, "the primary exits");
        assert.equal(exit.code, 0, `exit ${exit.code} ${exit.signal}; stderr: ${proc.stderr}`);
        for (const pid of workers) assert.ok(await waitFor(() => !isAlive(pid), 5000), `worker ${pid} exited`);

        const load = await loading;
        t.diagnostic(describeLoad(load));
        assert.deepEqual(load.failures, [], describeLoad(load));
        // Connections the listener took but no worker did are dropped once the drain begins, not before.
        for (const u of load.unanswered) assert.ok(u.at >= sigtermAt, `${u.message} before the SIGTERM`);
        assert.ok(load.ok > 0, describeLoad(load));
      } finally {
        for (const c of [idle, slow, ...health]) c.destroy();
        for (const p of sockets) p.ws.terminate();
        await loading;
      }
    });
  });
}

describe("serve({ workers: 2, drainTimeout: 1 })", () => {
  it("a request longer than the drain timeout is cut, and the primary still exits 0", async () => {
    const cluster = await targets[1].start({ drainTimeout: 1 });
    try {
      await workerPids(cluster);
      const slow = await OpsClient.connect({ port: cluster.port });
      await slow.write("GET /slow?ms=20000 HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.ok(await cluster.proc.until(() => /^SLOW \d+$/m.test(cluster.proc.stdout), 5000));
      const sent = Date.now();
      cluster.proc.signal("SIGTERM");
      const exit = await Promise.race([cluster.proc.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      assert.ok(exit !== null, "the primary exits long before the 20 s request would end");
      assert.equal(exit.code, 0, `exit ${exit.code} ${exit.signal}; stderr: ${cluster.proc.stderr}`);
      assert.ok(await slow.waitForClose(1000), "the slow request's connection was cut");
      assert.equal(slow.finalResponses().length, 0, "no response: it was cut at the drain timeout");
      assert.ok(Date.now() - sent >= 900, "not before the drain timeout");
    } finally {
      await stopCluster(cluster);
    }
  });
});
