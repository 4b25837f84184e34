// examples/time-server as a child process (PORT=0, built dist/ as `npm test` leaves it): /now is the
// current time, /stream sends events about a second apart and clears its timer when the client
// leaves, / is the HTML page that listens to /stream. The child is stopped by PID.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER = path.join(REPO, "examples/time-server/server.js");

interface TimeEvent {
  iso: string;
  epochMs: number;
  /** at is when the event arrived here. */
  at: number;
}

describe("examples/time-server", () => {
  let child: ChildProcess;
  let base: string;
  let output = "";

  /** printed waits until the server has printed a line matching `re`. */
  const printed = async (re: RegExp, timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(output)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
    return true;
  };

  before(async () => {
    assert.ok(existsSync(path.join(REPO, "dist/index.js")), "dist/index.js is missing: run `npm run build` first");
    child = spawn(process.execPath, [SERVER], { cwd: REPO, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (output += c));
    const listening = /^Listening on (http:\/\/127\.0\.0\.1:(\d+)\/)$/m;
    assert.ok(await printed(listening, 10_000), `no listening line: ${output}`);
    const m = listening.exec(output)!;
    assert.notEqual(Number(m[2]), 0, "PORT=0 printed port 0 instead of the real one");
    base = m[1]!;
  });
  after(async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(child.pid!, "SIGTERM");
    const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  });

  it("/now is JSON with the current time (within 5 s), iso and epochMs agreeing", async () => {
    const res = await fetch(`${base}now`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await res.json()) as { iso: string; epochMs: number };
    assert.equal(typeof body.epochMs, "number");
    assert.ok(Math.abs(body.epochMs - Date.now()) < 5000, `epochMs ${body.epochMs} is far from ${Date.now()}`);
    assert.equal(new Date(body.iso).toISOString(), body.iso, "iso is not an ISO 8601 timestamp");
    assert.equal(Date.parse(body.iso), body.epochMs);
  });

  it("/stream sends data: events about a second apart, and the server clears the timer when the client leaves", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}stream`, { signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.ok(await printed(/stream opened; 1 open/, 3000), output);

    const events: TimeEvent[] = [];
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const deadline = Date.now() + 8000;
    try {
      while (events.length < 3 && Date.now() < deadline) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        // Events end with a blank line; only complete ones are parsed.
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart());
          if (data.length > 0) events.push({ ...(JSON.parse(data.join("\n")) as { iso: string; epochMs: number }), at: Date.now() });
        }
      }
    } finally {
      controller.abort();
      await reader.cancel().catch(() => {});
    }
    assert.ok(events.length >= 2, `only ${events.length} event(s) in 8 s`);
    for (let i = 1; i < events.length; i++) {
      const gap = events[i].epochMs - events[i - 1].epochMs;
      assert.ok(gap >= 700 && gap <= 1500, `events ${i - 1} and ${i} are ${gap} ms apart`);
      const arrivalGap = events[i].at - events[i - 1].at;
      assert.ok(arrivalGap >= 500 && arrivalGap <= 1700, `events arrived ${arrivalGap} ms apart: the stream is buffered`);
    }
    assert.ok(Math.abs(events[0].epochMs - Date.now()) < 10_000);

    // The client is gone: the server must notice and clear the stream's interval.
    assert.ok(await printed(/stream closed \([^)]*\); 0 open/, 5000), `the stream was not cleaned up:\n${output}`);
  });

  it("/ is the HTML page that listens to /stream", async () => {
    const res = await fetch(base);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    const html = await res.text();
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /new EventSource\("\/stream"\)/);
  });

  it("an unknown path is 404", async () => {
    const res = await fetch(`${base}nope`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });
});
