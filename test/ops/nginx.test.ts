// sockserve behind nginx, with the configuration of docs/deploying.md (read from the file; only
// the ports change). nginx is installed from Debian (nginx-light) when missing, and runs in the
// foreground with every path in a temporary directory. A bounded load goes through nginx while
// one of two sockserve processes is stopped with SIGTERM: every request must get a 200. Then
// WebSockets through the documented Upgrade headers, upstream keep-alive, and X-Request-Id.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { OpsClient, runLoad } from "../support/ops-client.js";
import { OpsProcess, freePort, startOpsCli, tsxArgs, type OpsCli } from "../support/ops-cli.js";
import { ensureNginx, startNginx } from "../support/ops-nginx.js";
import { WsPeer } from "../support/ws-peer.js";

const HEALTH = "/.well-known/sockserve/health";

/** get sends one GET through a fresh connection and returns the parsed answer. */
async function get(port: number, target: string, headers: Record<string, string> = {}) {
  const client = await OpsClient.connect({ port });
  try {
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    await client.write(`GET ${target} HTTP/1.1\r\nHost: example.test\r\n${extra}Connection: close\r\n\r\n`);
    const [response] = await client.waitForResponses(1, { timeoutMs: 10_000 });
    return response;
  } finally {
    client.destroy();
  }
}

describe("nginx in front of sockserve (docs/deploying.md)", () => {
  let nginxBinary: string;
  const root = mkdtempSync(path.join(tmpdir(), "sockserve-nginx-"));

  before(() => {
    nginxBinary = ensureNginx();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("a GET and POST load through nginx gets only 200s while one of two sockserve CLIs drains with SIGTERM", async (t) => {
    // Each node serves who.txt ("a" or "b") and a CGI script that records every POST it runs.
    const sites = ["a", "b"].map((name) => {
      const dir = mkdtempSync(path.join(root, `site-${name}-`));
      writeFileSync(path.join(dir, "who.txt"), `${name}\n`);
      mkdirSync(path.join(dir, "cgi-bin"));
      const script = path.join(dir, "cgi-bin", "post");
      const log = path.join(root, `posts-${name}.log`);
      writeFileSync(script, `#!/bin/sh\ncat > /dev/null\necho "$QUERY_STRING" >> '${log}'\nprintf 'Content-Type: text/plain\\r\\n\\r\\n${name} %s\\n' "$QUERY_STRING"\n`);
      chmodSync(script, 0o755);
      return { dir, log };
    });
    const [portA, portB, listen] = [await freePort(), await freePort(), await freePort()];
    const backends: OpsCli[] = [];
    let nginx: OpsProcess | undefined;
    try {
      for (const [i, port] of [portA, portB].entries()) {
        backends.push(await startOpsCli([sites[i].dir, "--port", String(port), "--health", "--cgi", "--quiet", "--drain-timeout", "5"]));
      }
      const nginxDir = mkdtempSync(path.join(root, "nginx-"));
      nginx = await startNginx(nginxBinary, nginxDir, listen, [portA, portB]);
      const upstreamErrors = (): string[] =>
        readFileSync(path.join(nginxDir, "error.log"), "utf8").split("\n").filter((l) => /upstream/.test(l) && /\[error\]/.test(l));

      // Both upstreams answer through nginx.
      const seen = new Set<string>();
      for (let i = 0; i < 10 && seen.size < 2; i++) seen.add((await get(listen, "/who.txt")).text.trim());
      assert.deepEqual([...seen].sort(), ["a", "b"], "nginx balances over both sockserve processes");

      const [a] = backends as [OpsCli];
      let stoppedAt = Infinity;
      const answers: { at: number; text: string }[] = [];
      const timer = setTimeout(() => {
        stoppedAt = Date.now();
        a.cli.signal("SIGTERM");
      }, 1500);
      const load = await runLoad({
        endpoint: { port: listen },
        path: (c, n) => (n % 2 === 1 ? `/cgi-bin/post?id=c${c}-${n}` : "/who.txt"),
        method: (_c, n) => (n % 2 === 1 ? "POST" : "GET"),
        clients: 4,
        durationMs: 3000,
        onResponse: (r) => answers.push({ at: Date.now(), text: r.text.trim() }),
      });
      clearTimeout(timer);
      t.diagnostic(`ok=${load.ok} retries=${load.retries} connections=${load.connections} failures=${load.failures.length}`);
      // What nginx met and passed on to the other upstream: refused connections once the node stopped
      // listening, and requests sent on upstream keep-alive connections that the drain closed.
      t.diagnostic(`nginx upstream errors, each retried: ${upstreamErrors().length}; ${upstreamErrors().map((l) => /\] \d+#\d+: \*\d+ (.*?), client/.exec(l)?.[1]).join("; ")}`);

      assert.deepEqual(load.failures, [], `failed requests: ${load.failures.slice(0, 10).join("; ")}`);
      assert.deepEqual(load.refused, []);
      assert.deepEqual(load.unanswered, []);
      assert.ok(load.ok > 100, `the load ran: ${load.ok} requests`);
      assert.ok(Number.isFinite(stoppedAt), "the SIGTERM was sent during the load");
      const exit = await Promise.race([a.cli.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      assert.ok(exit !== null, "the stopped sockserve exits");
      assert.equal(exit.code, 0, `exit ${exit.code} ${exit.signal}; stderr: ${a.cli.stderr}`);
      const before = answers.filter((b) => b.at < stoppedAt);
      assert.ok(before.some((b) => b.text.startsWith("a")) && before.some((b) => b.text.startsWith("b")), "both served before the SIGTERM");
      assert.ok(answers.some((b) => b.at > stoppedAt + 500 && b.text.startsWith("b")), "the other one carries the load after it");

      // Every POST answered 200 ran exactly once, on one node: the retries never ran one twice.
      const answered = answers.map((b) => /^[ab] id=(\S+)$/.exec(b.text)?.[1]).filter((id): id is string => id !== undefined);
      const ran = sites.flatMap((s) => (existsSync(s.log) ? readFileSync(s.log, "utf8").split("\n").filter((l) => l !== "") : [])).map((l) => l.replace(/^id=/, ""));
      assert.ok(answered.length > 20, `POSTs answered: ${answered.length}`);
      assert.equal(new Set(ran).size, ran.length, `a POST ran twice: ${ran.filter((id, i) => ran.indexOf(id) !== i).join(", ")}`);
      assert.deepEqual([...ran].sort(), [...answered].sort(), "the POSTs that ran are the POSTs answered");

      // The remaining node is healthy; the stopped one is out.
      const health = await get(listen, HEALTH);
      assert.equal(health.status, 200);
      assert.equal(health.text, "ok\n");
      assert.equal((await get(listen, "/who.txt")).text, "b\n");

      // X-Request-Id: the client's is kept and echoed; without one nginx makes one up.
      const mine = await get(listen, "/who.txt", { "X-Request-Id": "ops-test-123" });
      assert.equal(mine.get("x-request-id"), "ops-test-123");
      const made = await get(listen, "/who.txt");
      assert.match(made.get("x-request-id") ?? "", /^[0-9a-f]{32}$/);
    } finally {
      await nginx?.kill();
      for (const b of backends) await b.cli.kill();
    }
  });

  it("WebSockets pass through the documented Upgrade headers, and upstream connections are kept alive", async () => {
    const [portA, portB, listen] = [await freePort(), await freePort(), await freePort()];
    const apps: OpsProcess[] = [];
    let nginx: OpsProcess | undefined;
    const peers: WsPeer[] = [];
    try {
      for (const port of [portA, portB]) {
        const app = new OpsProcess(tsxArgs("test/support/ops-cluster-app.ts", JSON.stringify({ workers: 1, port })));
        apps.push(app);
        await app.waitForLine(/^WORKER \d+ READY/m, 30_000);
      }
      const nginxDir = mkdtempSync(path.join(root, "nginx-ws-"));
      nginx = await startNginx(nginxBinary, nginxDir, listen, [portA, portB]);

      for (let i = 0; i < 2; i++) {
        const peer = await WsPeer.connect(`ws://127.0.0.1:${listen}/ws`);
        peers.push(peer);
        await peer.until(() => peer.messages.length >= 1, "greeting through nginx");
        assert.match(peer.messages[0].text, /^hello \d+$/);
        peer.ws.send("echo me");
        await peer.until(() => peer.messages.some((m) => m.text === "echo me"), "echo through nginx");
      }

      // Twenty requests, each on a new client connection: nginx reuses a few upstream connections.
      const upstreamPorts = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const r = await get(listen, "/peer");
        assert.equal(r.status, 200);
        upstreamPorts.add(r.text);
      }
      assert.ok(upstreamPorts.size <= 4, `upstream keep-alive: 20 requests came over ${upstreamPorts.size} upstream connections (${[...upstreamPorts].join(", ")})`);
    } finally {
      for (const p of peers) p.ws.terminate();
      await nginx?.kill();
      for (const app of apps) await app.kill();
    }
  });
});
