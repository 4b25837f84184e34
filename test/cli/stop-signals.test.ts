// Ctrl-C through the built bin, with a request held open by the app: the first SIGINT prints
// one line saying how many connections it waits for and keeps serving the held request; a second
// SIGINT exits at once with code 130. With nothing in flight, one SIGINT exits 0. Under --watch,
// a terminal's Ctrl-C (SIGINT to the whole process group) still counts once.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { assertBuilt, CLI_DIST, waitFor } from "../support/ops-cli.js";
import { nonEmptyLines, startCli, type RunningCli } from "../support/static-cli.js";

// /hold?ms=N prints "holding" and answers after N ms, so the request stays pending meanwhile.
const APP = `export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/hold") return new Response("ok");
    console.log("holding");
    return new Promise((resolve) => setTimeout(() => resolve(new Response("held answer")), Number(url.searchParams.get("ms"))));
  },
};
`;

/** holdRequest sends GET /hold?ms=MS on a raw socket and resolves with everything it receives until close. */
function holdRequest(port: number, ms: number): { sent: Promise<void>; received: Promise<string> } {
  const socket = net.connect({ port, host: "127.0.0.1" });
  let text = "";
  socket.setEncoding("latin1").on("data", (s: string) => (text += s));
  socket.on("error", () => {});
  return {
    sent: new Promise((resolve) => socket.once("connect", () => socket.write(`GET /hold?ms=${ms} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, () => resolve()))),
    received: new Promise((resolve) => socket.once("close", () => resolve(text))),
  };
}

describe("Ctrl-C", () => {
  let dir: string;
  const running: RunningCli[] = [];
  before(async () => {
    assertBuilt();
    dir = await mkdtemp(path.join(tmpdir(), "sockserve-sigint-"));
    await writeFile(path.join(dir, "hold.mjs"), APP);
  });
  after(async () => {
    for (const { cli } of running) await cli.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const start = async (extra: string[] = []): Promise<RunningCli> => {
    const cli = await startCli([path.join(dir, "hold.mjs"), "-p", "0", "--quiet", ...extra], { dist: true });
    running.push(cli);
    return cli;
  };
  const stoppingLine = (stderr: string): string[] => nonEmptyLines(stderr).filter((l) => l.includes("stopping:"));
  /** startHolding starts the app, sends a request held `ms` and SIGINT once the app has it. */
  const startHolding = async (ms: number, extra: string[] = []): Promise<{ cli: RunningCli["cli"]; received: Promise<string> }> => {
    const { cli, port } = await start(extra);
    const held = holdRequest(port, ms);
    await held.sent;
    assert.ok(await cli.until(() => cli.stdout.includes("holding\n"), 5000), "the app never got the request");
    cli.signal("SIGINT");
    return { cli, received: held.received };
  };

  it("first SIGINT: one line with the count, the held request still served; second SIGINT: exit 130 at once", async () => {
    const { cli, received } = await startHolding(60_000);
    assert.ok(await cli.until(() => cli.stderr.includes("\n"), 5000), "no line after the first SIGINT");
    assert.deepEqual(nonEmptyLines(cli.stderr), ["sockserve: stopping: waiting for 1 connection, press Ctrl-C again to quit now"]);
    assert.ok(cli.running, "it quit before the held request finished");
    cli.signal("SIGINT");
    const t0 = Date.now();
    assert.ok(await cli.until(() => !cli.running, 3000), "still running after the second SIGINT");
    assert.equal(cli.exitCode, 130);
    assert.ok(Date.now() - t0 < 3000);
    assert.equal(stoppingLine(cli.stderr).length, 1, "the line is printed once");
    assert.doesNotMatch(await received, /held answer/, "the second Ctrl-C should not wait for the request");
  });

  it("--workers 2: the primary counts the workers' connections; a second SIGINT exits 130 at once", async () => {
    const { cli, received } = await startHolding(60_000, ["--workers", "2"]);
    assert.ok(await cli.until(() => stoppingLine(cli.stderr).length === 1, 5000), `no line after the first SIGINT: ${cli.stderr}`);
    assert.deepEqual(stoppingLine(cli.stderr), ["sockserve: stopping: waiting for 1 connection, press Ctrl-C again to quit now"]);
    assert.ok(cli.running, "it quit before the held request finished");
    cli.signal("SIGINT");
    assert.ok(await cli.until(() => !cli.running, 3000), "still running after the second SIGINT");
    assert.equal(cli.exitCode, 130);
    assert.doesNotMatch(await received, /held answer/);
  });

  it("first SIGINT with a request in flight: it is answered, then the server exits 0", async () => {
    const { cli, received } = await startHolding(1500);
    assert.ok(await cli.until(() => stoppingLine(cli.stderr).length === 1, 5000), cli.stderr);
    assert.match(cli.stderr, /waiting for 1 connection,/);
    assert.match(await received, /\r\n\r\nheld answer$/);
    assert.ok(await cli.until(() => !cli.running, 10_000), "still running after the drain");
    assert.equal(cli.exitCode, 0, cli.stderr);
  });

  it("--watch: a Ctrl-C to the process group counts once; the second quits with 130", async () => {
    // A terminal signals its whole foreground group: the CLI, the watcher and the server.
    const child = spawn(process.execPath, [CLI_DIST, path.join(dir, "hold.mjs"), "-p", "0", "--quiet", "--watch"], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const group = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is gone
      }
    };
    try {
      assert.ok(await waitFor(() => /at http:\/\/127\.0\.0\.1:(\d+)\//.test(stdout), 20_000), stdout + stderr);
      const port = Number(/at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)![1]);
      const held = holdRequest(port, 60_000);
      await held.sent;
      assert.ok(await waitFor(() => stdout.includes("holding\n"), 5000), "the app never got the request");
      group("SIGINT");
      assert.ok(await waitFor(() => stderr.includes("stopping:"), 5000), stderr);
      await new Promise((r) => setTimeout(r, 500)); // past the 250 ms in which a relayed copy is ignored
      assert.deepEqual(nonEmptyLines(stderr), ["sockserve: stopping: waiting for 1 connection, press Ctrl-C again to quit now"]);
      assert.equal(child.exitCode, null, "one Ctrl-C quit at once");
      group("SIGINT");
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 5000))]);
      assert.equal(code, 130, stderr);
    } finally {
      group("SIGKILL");
    }
  });

  it("first SIGINT with nothing in flight: waiting for 0 connections, exit 0", async () => {
    const { cli } = await start();
    cli.signal("SIGINT");
    assert.ok(await cli.until(() => !cli.running, 10_000));
    assert.equal(cli.exitCode, 0, `signal ${cli.exitSignal}; stderr: ${cli.stderr}`);
    assert.deepEqual(stoppingLine(cli.stderr), ["sockserve: stopping: waiting for 0 connections, press Ctrl-C again to quit now"]);
  });
});
