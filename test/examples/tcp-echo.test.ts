// examples/tcp-echo: the server (PORT=0) and the client as child processes, 1 MB of random bytes
// through the client's stdin must come back on its stdout byte for byte; a short argument too.
// Both children are stopped by PID.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER = path.join(REPO, "examples/tcp-echo/server.js");
const CLIENT = path.join(REPO, "examples/tcp-echo/client.js");

interface Ran {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** runClient runs the client to completion (bounded), feeding it `input` on stdin. */
function runClient(port: number, args: string[], input: Buffer | null, timeoutMs = 20_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT, ...args], { env: { ...process.env, PORT: String(port) }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      process.kill(child.pid!, "SIGKILL");
      reject(new Error(`the client did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    if (input === null) child.stdin.end();
    else child.stdin.end(input);
  });
}

describe("examples/tcp-echo", () => {
  let server: ChildProcess;
  let port: number;
  let serverOutput = "";

  before(async () => {
    server = spawn(process.execPath, [SERVER], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    server.stderr!.setEncoding("utf8").on("data", (c: string) => (serverOutput += c));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 10 s: ${serverOutput}`)), 10_000);
      server.stdout!.setEncoding("utf8").on("data", (c: string) => {
        serverOutput += c;
        const m = /^Listening on 127\.0\.0\.1:(\d+)$/m.exec(serverOutput);
        if (m !== null) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      server.once("exit", (code) => reject(new Error(`the server exited (${code}): ${serverOutput}`)));
    });
  });
  after(async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once("exit", r));
    process.kill(server.pid!, "SIGTERM");
    const timer = setTimeout(() => process.kill(server.pid!, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  });

  it("prints a real port for PORT=0", () => {
    assert.ok(port > 0 && port < 65536, `port ${port}`);
  });

  it("echoes 1 MB of random stdin exactly, collected until the server's end", async () => {
    const input = randomBytes(1024 * 1024);
    const ran = await runClient(port, [], input);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout.length, input.length, "lengths differ");
    assert.ok(ran.stdout.equals(input), "the echoed bytes differ from the input");
    const m = /received (\d+) bytes in (\d+) chunk/.exec(ran.stderr);
    assert.ok(m !== null, ran.stderr);
    assert.equal(Number(m[1]), input.length);
    // 1 MB never fits one read: the point of the example is collecting every chunk.
    assert.ok(Number(m[2]) > 1, `${m[2]} chunk(s)`);
  });

  it("echoes an argument", async () => {
    const ran = await runClient(port, ["hello, echo"], null);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout.toString("utf8"), "hello, echo\n");
  });

  it("echoes empty input as nothing, and still ends", async () => {
    const ran = await runClient(port, [], Buffer.alloc(0));
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout.length, 0);
  });

  it("serves several clients at once", async () => {
    const inputs = [randomBytes(200_000), randomBytes(300_000), randomBytes(100_000)];
    const results = await Promise.all(inputs.map((input) => runClient(port, [], input)));
    results.forEach((ran, i) => assert.ok(ran.stdout.equals(inputs[i]), `client ${i} got different bytes`));
  });
});
