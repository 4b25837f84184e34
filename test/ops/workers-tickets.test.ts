// Session ticket rotation across workers: serve({ workers: 2, tls, ticketKeyRotation }) in a child
// process (test/support/ops-cluster-app.ts). A rotation shows as a fresh session whose ticket names
// another key (openssl sess_id); after one, sessions saved before it (TLS 1.2 and 1.3) still resume
// on both workers, and on their replacements after a rolling restart, as the primary hands every
// worker the previous key too; after the next rotation they make a full handshake on a connection
// that works.
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { OpsProcess, childPids, tsxArgs } from "../support/ops-cli.js";
import { sClient, sessionTicket } from "../support/openssl-client.js";
import { makeCert, type Cert } from "../support/ops-tls.js";

const VERSIONS = ["-tls1_2", "-tls1_3"];
const REQUEST = "GET /pid HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
const dir = mkdtempSync(path.join(tmpdir(), "sockserve-workers-tickets-"));
let cert: Cert;
let port: number;
let files = 0;

before(() => {
  cert = makeCert(dir, "a", "a.test");
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** withCluster runs `body` against serve({ workers: 2 }) rotating its keys every `period` seconds, and kills it after. */
async function withCluster(period: number, body: (proc: OpsProcess) => Promise<void>): Promise<void> {
  const proc = new OpsProcess(tsxArgs("test/support/ops-cluster-app.ts", JSON.stringify({ workers: 2, tlsCert: cert.certFile, tlsKey: cert.keyFile, ticketKeyRotation: period })));
  try {
    port = Number((await proc.waitForLine(/^PRIMARY \d+ PORT (\d+)/m, 30_000))[1]);
    assert.ok(await proc.until(() => (proc.stdout.match(/^WORKER \d+ READY/gm) ?? []).length === 2, 30_000), proc.stdout);
    await body(proc);
  } finally {
    await proc.kill(childPids(proc.pid));
  }
}

/** request runs s_client for GET /pid (the answering worker's PID): its session ("New"/"Reused") and the PID. */
async function request(args: string[]): Promise<{ session: string; pid: string }> {
  const out = await sClient(port, ["-ign_eof", ...args], REQUEST);
  const pid = /^(\d+) v0/m.exec(out.text)?.[1];
  assert.ok(pid !== undefined, `answered by a worker: ${out.text}`);
  return { session: out.session, pid };
}

/** save makes a full handshake and returns the session file and its ticket's key name. */
async function save(version: string): Promise<{ file: string; keyName: string }> {
  const file = path.join(dir, `session-${files++}`);
  assert.equal((await request([version, "-sess_out", file])).session, "New");
  return { file, keyName: sessionTicket(file).keyName };
}

/** keyAfter makes fresh sessions until their tickets name a key other than `old` `times` in a row (round robin: both workers), and returns it. */
async function keyAfter(old: string | null, times: number): Promise<string> {
  const end = Date.now() + 20_000;
  const names: string[] = [];
  while (Date.now() < end) {
    names.push((await save("-tls1_3")).keyName);
    const last = names.slice(-times);
    if (last.length === times && last.every((n) => n === last[0] && n !== old)) return last[0];
  }
  throw new Error(`no steady key after ${old} in 20 s: ${names.join(" ")}`);
}

/** resumeAll resumes each saved session `rounds` times, alternating versions. */
async function resumeAll(saved: { file: string }[], rounds: number): Promise<{ session: string; pid: string }[]> {
  const resumed: { session: string; pid: string }[] = [];
  for (let i = 0; i < rounds; i++) for (const [j, v] of VERSIONS.entries()) resumed.push(await request([v, "-sess_in", saved[j].file]));
  return resumed;
}

/**
 * afterOneRotation saves a TLS 1.2 and a TLS 1.3 session, waits for the next key, runs `round` on
 * the saved sessions, and returns its result, the sessions and that key, once no second rotation
 * came during the round (which would prove nothing: then it starts again, three times at most).
 */
async function afterOneRotation<T>(round: (saved: { file: string }[]) => Promise<T>): Promise<{ result: T; saved: { file: string }[]; second: string }> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const first = await keyAfter(null, 4); // the primary's key has reached both workers
    const saved = await Promise.all(VERSIONS.map((v) => save(v)));
    if (!saved.every((s) => s.keyName === first)) continue; // a rotation came between
    const second = await keyAfter(first, 2);
    const result = await round(saved);
    if ((await save("-tls1_3")).keyName === second) return { result, saved, second };
  }
  throw new Error("three rounds in a row were cut by a second rotation");
}

const sessions = (resumed: { session: string }[]): string[] => resumed.map((r) => r.session);

it("sessions resume on both workers after one rotation, and make a full handshake after two (ticketKeyRotation 3 s)", { timeout: 120_000 }, async () => {
  await withCluster(3, async () => {
    const { result: resumed, saved, second } = await afterOneRotation((s) => resumeAll(s, 3));
    assert.deepEqual(sessions(resumed), Array(resumed.length).fill("Reused"), "the previous key decrypts on every worker");
    assert.equal(new Set(resumed.map((r) => r.pid)).size, 2, `both workers resumed: ${resumed.map((r) => r.pid).join(" ")}`);
    await keyAfter(second, 2);
    assert.deepEqual(sessions(await resumeAll(saved, 1)), ["New", "New"], "two rotations old: a full handshake");
  });
});

it("the workers of a rolling restart after a rotation get the previous key too (ticketKeyRotation 10 s)", { timeout: 120_000 }, async () => {
  await withCluster(10, async (proc) => {
    const { result: resumed } = await afterOneRotation(async (saved) => {
      const before = childPids(proc.pid);
      const done = proc.stdout.split("RESTARTED WORKERS").length;
      proc.send("restart");
      assert.ok(await proc.until(() => proc.stdout.split("RESTARTED WORKERS").length > done, 30_000), proc.stderr);
      assert.equal(childPids(proc.pid).filter((pid) => before.includes(pid)).length, 0, "every worker was replaced");
      return resumeAll(saved, 2);
    });
    assert.deepEqual(sessions(resumed), Array(resumed.length).fill("Reused"));
    assert.equal(new Set(resumed.map((r) => r.pid)).size, 2, "both replacements resumed");
  });
});
