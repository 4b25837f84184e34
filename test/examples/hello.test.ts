// examples/hello as a child process: with PORT=0 it prints the real URL, answers "Hello, World!"
// to fetch and curl, and exits cleanly on SIGTERM (sent to its PID).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER = path.join(REPO, "examples/hello/server.js");

describe("examples/hello", () => {
  let child: ChildProcess;
  let url: string;
  let output = "";
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  before(async () => {
    assert.ok(existsSync(path.join(REPO, "dist/index.js")), "dist/index.js is missing: run `npm run build` first");
    child = spawn(process.execPath, [SERVER], { cwd: REPO, env: { ...process.env, PORT: "0", HOST: "127.0.0.1" }, stdio: ["ignore", "pipe", "pipe"] });
    exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (output += c));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 10 s: ${output}`)), 10_000);
      child.stdout!.setEncoding("utf8").on("data", (c: string) => {
        output += c;
        const m = /^Listening on (\S+)$/m.exec(output);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exited.then(({ code }) => reject(new Error(`the server exited (${code}): ${output}`)));
    });
  });
  after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid!, "SIGKILL");
    await exited;
  });

  it("prints the real URL for PORT=0", () => {
    const parsed = new URL(url);
    assert.equal(parsed.protocol, "http:");
    assert.equal(parsed.hostname, "127.0.0.1");
    assert.ok(Number(parsed.port) > 0, `the printed URL ${url} has no real port`);
  });

  it("answers fetch with Hello, World!", async () => {
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "Hello, World!");
    const other = await fetch(new URL("/any/path?x=1", url));
    assert.equal(await other.text(), "Hello, World!");
  });

  it("answers curl with Hello, World!", async () => {
    const body = await new Promise<string>((resolve, reject) =>
      execFile("curl", ["--silent", "--show-error", "--max-time", "10", url], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
    );
    assert.equal(body, "Hello, World!");
  });

  it("exits with status 0 on SIGTERM", async () => {
    process.kill(child.pid!, "SIGTERM");
    const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), 5000);
    const { code, signal } = await exited;
    clearTimeout(timer);
    assert.equal(signal, null, "killed instead of exiting");
    assert.equal(code, 0);
  });
});
