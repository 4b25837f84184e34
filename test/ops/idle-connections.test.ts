// 10,000 idle keep-alive connections: scripts/idle-memory.js holds them (server in one process,
// clients in another, both under a raised `ulimit -n`), and reports what the server's JS heap grew
// by. The server must still answer a normal request, and an idle connection must cost under 4 KiB
// of heap. This is a memory measurement, not a timing one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { OpsProcess, REPO, assertBuilt } from "../support/ops-cli.js";

const CONNECTIONS = 10_000;
const HEAP_LIMIT = 4 * 1024;

/** hardOpenFiles is this process's hard RLIMIT_NOFILE. */
function hardOpenFiles(): number {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"))!;
  const hard = line.replace("Max open files", "").trim().split(/\s+/)[1];
  return hard === "unlimited" ? Infinity : Number(hard);
}

interface Report {
  connections: number;
  held: number;
  failed: number;
  firstError?: string;
  heapPerConnection: number;
  externalPerConnection: number;
  rssPerConnection: number;
  normalRequest: { status: number; body: string; ms: number };
}

describe("idle keep-alive connections", () => {
  it(`${CONNECTIONS.toLocaleString("en")} idle connections: a normal request is answered, and each costs < 4 KiB of heap`, async (t) => {
    assertBuilt();
    const needed = CONNECTIONS + 256;
    const hard = hardOpenFiles();
    assert.ok(hard >= needed, `the hard open-files limit is ${hard}; this test needs ${needed} per process`);
    const proc = new OpsProcess(["--expose-gc", path.join(REPO, "scripts/idle-memory.js"), "--connections", String(CONNECTIONS), "--json"], {
      ulimit: Math.min(hard, 30_000),
    });
    const finished = await proc.until(() => !proc.running, 90_000);
    if (!finished) await proc.kill();
    assert.ok(finished, `idle-memory.js did not finish; stderr: ${proc.stderr}`);
    assert.equal(proc.exitCode, 0, `exit ${proc.exitCode} ${proc.exitSignal}; stdout: ${proc.stdout}; stderr: ${proc.stderr}`);
    const report = JSON.parse(proc.stdout.trim().split("\n").at(-1)!) as Report;
    t.diagnostic(`heap per idle connection ${report.heapPerConnection} B, external ${report.externalPerConnection} B, RSS ${report.rssPerConnection} B`);

    assert.equal(report.held, CONNECTIONS, `connections held: ${report.held} (failed ${report.failed}: ${report.firstError})`);
    assert.equal(report.failed, 0);
    assert.equal(report.normalRequest.status, 200, `normal request while ${CONNECTIONS} are idle: ${JSON.stringify(report.normalRequest)}`);
    assert.equal(report.normalRequest.body, "normal");
    assert.ok(report.heapPerConnection > 0, "the measurement saw the connections at all");
    assert.ok(report.heapPerConnection < HEAP_LIMIT, `${report.heapPerConnection} bytes of heap per idle connection (limit ${HEAP_LIMIT})`);
  });

  it("idle-memory.js explains a too-low open-files limit instead of failing obscurely", async () => {
    assertBuilt();
    // Soft and hard limit 512: it cannot raise it, so it must say how.
    const proc = new OpsProcess(["--expose-gc", path.join(REPO, "scripts/idle-memory.js"), "--connections", "5000"], { ulimit: 512 });
    await proc.exited;
    assert.equal(proc.exitCode, 2);
    assert.match(proc.stderr, /open files limit \(ulimit -n\) is 512/);
    assert.match(proc.stderr, /bash -c 'ulimit -n \d+; node --expose-gc scripts\/idle-memory\.js --connections 5000'/);
  });
});
