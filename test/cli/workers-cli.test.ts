// --workers N through the built bin: a start that cannot succeed (port taken, directory missing,
// workers that keep dying) exits non-zero with one line; workers share TLS session tickets (openssl
// -sess_out/-sess_in, TLS 1.2 and 1.3, all Reused); a SIGHUP whose new worker cannot start (a bad
// certificate) keeps the old workers serving.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { OpsProcess, childPids, startOpsCli, tsxArgs, type OpsCli } from "../support/ops-cli.js";
import { makeCert, type Cert } from "../support/ops-tls.js";
import { sClient } from "../support/openssl-client.js";
import { runCli } from "../support/static-cli.js";

const dir = mkdtempSync(path.join(tmpdir(), "sockserve-workers-cli-"));
const www = path.join(dir, "www");
let a: Cert;
let b: Cert;

before(() => {
  mkdirSync(www);
  writeFileSync(path.join(www, "index.html"), "<p>workers</p>\n");
  a = makeCert(dir, "a", "a.test");
  b = makeCert(dir, "b", "b.test");
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function stop(running: OpsCli): Promise<void> {
  const workers = childPids(running.cli.pid);
  await running.cli.stop(8000);
  await running.cli.kill(workers.filter((pid) => childPids(running.cli.pid).includes(pid)));
}

describe("--workers: a start that cannot succeed", () => {
  it("a port in use: exit 1 and the single-process message, once", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const single = await runCli([www, "--port", String(port)], { dist: true });
      const workers = await runCli([www, "--port", String(port), "--workers", "2"], { dist: true, timeoutMs: 20_000 });
      assert.equal(single.code, 1);
      assert.equal(workers.code, 1, workers.stderr);
      assert.match(workers.stderr, /already in use/);
      assert.equal(workers.stderr, single.stderr, "the same one line as a single process");
    } finally {
      taken.close();
    }
  });

  it("a missing directory: exit 2 and one line", async () => {
    const out = await runCli([path.join(dir, "nope"), "--port", "0", "--workers", "2"], { dist: true, timeoutMs: 20_000 });
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /^sockserve: .*nope: no such directory\n$/);
  });

  it("workers that exit before they listen, again and again: the primary gives up and exits non-zero", { timeout: 30_000 }, async () => {
    const proc = new OpsProcess(tsxArgs("test/support/ops-cluster-app.ts", JSON.stringify({ workers: 2, crashAtStart: true })));
    const ended = await proc.until(() => !proc.running, 25_000);
    if (!ended) await proc.kill(childPids(proc.pid));
    assert.ok(ended, `the primary still runs; stderr: ${proc.stderr}`);
    assert.notEqual(proc.exitCode, 0, `exit ${proc.exitCode} ${proc.exitSignal}; stderr: ${proc.stderr}`);
    assert.match(proc.stderr, /workers keep exiting before they listen/, `exit ${proc.exitCode} ${proc.exitSignal}`);
  });
});

describe("--workers 2 with TLS", () => {
  let running: OpsCli;
  const certFile = path.join(dir, "site.crt");
  const keyFile = path.join(dir, "site.key");
  before(async () => {
    copyFileSync(a.certFile, certFile);
    copyFileSync(a.keyFile, keyFile);
    running = await startOpsCli([www, "--port", "0", "--quiet", "--workers", "2", "--drain-timeout", "2", "--tls-cert", certFile, "--tls-key", keyFile]);
  });
  after(async () => {
    await stop(running);
  });

  for (const version of ["-tls1_2", "-tls1_3"]) {
    it(`20 connections resume one session on either worker (${version.slice(1)}): all Reused`, async () => {
      const session = path.join(dir, `session${version}`);
      // A whole request, and -ign_eof: s_client stays until the answer, so TLS 1.3's tickets (sent after the handshake) have arrived.
      const request = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
      const firstRun = await sClient(running.port, [version, "-ign_eof", "-sess_out", session], request);
      assert.equal(firstRun.session, "New", firstRun.text);
      const results: string[] = [];
      for (let i = 0; i < 20; i++) results.push((await sClient(running.port, [version, "-ign_eof", "-sess_in", session], request)).session);
      assert.deepEqual(results, Array(20).fill("Reused"));
    });
  }

  it("after a rolling restart the replacement workers resume the sessions of the old ones", { timeout: 60_000 }, async () => {
    const { cli, port } = running;
    const session = path.join(dir, "session-restart");
    const request = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    assert.equal((await sClient(port, ["-tls1_3", "-ign_eof", "-sess_out", session], request)).session, "New");
    const before = new Set(childPids(cli.pid));
    const done = (cli.stderr.match(/rolling restart done/g) ?? []).length;
    cli.signal("SIGHUP");
    assert.ok(await cli.until(() => (cli.stderr.match(/rolling restart done/g) ?? []).length > done, 30_000), cli.stderr);
    const after = childPids(cli.pid);
    assert.equal(after.filter((pid) => before.has(pid)).length, 0, "every worker was replaced");
    const results: string[] = [];
    for (let i = 0; i < 4; i++) results.push((await sClient(port, ["-tls1_3", "-ign_eof", "-sess_in", session], request)).session);
    assert.deepEqual(results, Array(4).fill("Reused"));
  });

  it("SIGHUP with a bad key: the new worker cannot start, the old ones keep serving; a good key restarts", { timeout: 60_000 }, async () => {
    const { cli, port } = running;
    const before = new Set(childPids(cli.pid));
    copyFileSync(b.certFile, certFile); // a.key no longer matches
    cli.signal("SIGHUP");
    assert.ok(await cli.until(() => /rolling restart stopped/.test(cli.stderr), 20_000), cli.stderr);
    assert.match(cli.stderr, /site\.key: this key does not match the certificate .*site\.crt$/m);
    assert.deepEqual(new Set(childPids(cli.pid)), before, "the old workers are still the ones running");
    assert.equal((await sClient(port, [])).subject, "CN = a.test");
    copyFileSync(b.keyFile, keyFile);
    const done = (cli.stderr.match(/rolling restart done/g) ?? []).length;
    cli.signal("SIGHUP");
    assert.ok(await cli.until(() => (cli.stderr.match(/rolling restart done/g) ?? []).length > done, 30_000), cli.stderr);
    assert.equal((await sClient(port, [])).subject, "CN = b.test");
    assert.ok(cli.running);
  });
});
