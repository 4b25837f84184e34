// The chat example (examples/chat/server.js, on the built dist/) as a black box: started as a
// child process on a free port (PORT=0), it serves its page, relays a message from one `ws`
// client to another as {type, name, text, time}, drops invalid input quietly, announces joins and
// leaves, and refuses WebSockets from other origins. The child is stopped by PID.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER = path.join(REPO, "examples/chat/server.js");
const LISTENING = /^Listening on (http:\/\/127\.0\.0\.1:(\d+)\/)\s*$/m;

interface ChatEvent {
  type: string;
  name: string;
  text: string;
  time: string;
}

/** Client is one chat connection that queues the events it receives. */
class Client {
  readonly ws: WebSocket;
  readonly received: ChatEvent[] = [];
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      this.received.push(JSON.parse(data.toString()) as ChatEvent);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static open(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new Client(ws);
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
    });
  }

  send(value: unknown): void {
    this.ws.send(typeof value === "string" ? value : JSON.stringify(value));
  }

  /** next resolves with the first received event that matches, removing it and everything before it. */
  async next(match: (e: ChatEvent) => boolean, label: string, timeoutMs = 5000): Promise<ChatEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(0, i + 1)[i];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${label}; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

/** pick drops an event's time, for comparing the rest. */
function pick({ type, name, text }: ChatEvent): Omit<ChatEvent, "time"> {
  return { type, name, text };
}

/** stop sends SIGTERM to the child's PID, then SIGKILL if it has not exited within 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid!, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
  }, 5000);
  await exited;
  clearTimeout(timer);
}

describe("examples/chat", { timeout: 60_000 }, () => {
  let child: ChildProcess;
  let base = "";
  let wsUrl = "";
  let stderr = "";
  const clients: Client[] = [];
  const open = async (): Promise<Client> => {
    const c = await Client.open(wsUrl);
    clients.push(c);
    return c;
  };

  before(async () => {
    assert.ok(existsSync(path.join(REPO, "dist/index.js")), "dist/index.js is missing: run `npm run build` first");
    child = spawn(process.execPath, [SERVER], {
      cwd: REPO,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    let stdout = "";
    base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "Listening on" line within 10 s; stdout: ${stdout}; stderr: ${stderr}`)), 10_000);
      child.stdout!.setEncoding("utf8").on("data", (s: string) => {
        stdout += s;
        const m = LISTENING.exec(stdout);
        if (m && Number(m[2]) > 0) {
          clearTimeout(timer);
          resolve(m[1].replace(/\/$/, ""));
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (code ${code}, signal ${signal}); stderr: ${stderr}`));
      });
    });
    wsUrl = `${base.replace(/^http/, "ws")}/ws`;
  });

  after(async () => {
    for (const c of clients) c.ws.terminate();
    if (child) await stop(child);
  });

  it("serves the HTML page", async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html\b/);
    const html = await res.text();
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<form id="join"/);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'sha256-/);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it("relays a message from one client to the other as {type, name, text, time}", async () => {
    const alice = await open();
    const bob = await open();
    alice.send({ type: "join", name: "Alice" });
    await alice.next((e) => e.type === "join" && e.name === "Alice", "Alice's own join");
    bob.send({ type: "join", name: "  Bob  " });
    const joined = await alice.next((e) => e.type === "join" && e.name === "Bob", "Bob's join (name trimmed)");
    assert.equal(joined.text, "Bob joined");
    await bob.next((e) => e.type === "join" && e.name === "Bob", "Bob's own join");

    const before = Date.now();
    alice.send({ type: "message", text: "  hello <b>Bob</b> & \"friends\"  " });
    const got = await bob.next((e) => e.type === "message", "Alice's message");
    assert.deepEqual(Object.keys(got).sort(), ["name", "text", "time", "type"]);
    assert.equal(got.type, "message");
    assert.equal(got.name, "Alice");
    assert.equal(got.text, 'hello <b>Bob</b> & "friends"', "text is trimmed, and passed on as data (the page renders it with textContent)");
    const time = Date.parse(got.time);
    assert.ok(Number.isFinite(time) && time >= before - 1000 && time <= Date.now() + 1000, `time ${got.time}`);
    // The sender gets its own message too (server.publish reaches every subscriber).
    assert.equal((await alice.next((e) => e.type === "message", "Alice's own message")).text, got.text);

    await alice.close();
    const left = await bob.next((e) => e.type === "leave", "Alice's leave");
    assert.equal(left.name, "Alice");
    assert.equal(left.text, "Alice left");
  });

  it("drops bad JSON, over-long names and texts, and messages before joining, quietly", async () => {
    const carol = await open();
    const dave = await open();
    const eve = await open(); // never joins
    carol.send({ type: "join", name: "Carol" });
    await carol.next((e) => e.type === "join" && e.name === "Carol", "Carol's join");
    const nextEvent = (label: string) => carol.next(() => true, label);

    // Dave's junk, then a valid join: Carol's next event is that join, so none of the junk
    // (processed before it, on the same socket) produced anything.
    dave.send("{not json");
    dave.send("[1, 2, 3]");
    dave.send("null");
    dave.send({ type: "message", text: "before joining" });
    dave.send({ type: "join", name: "x".repeat(33) });
    dave.send({ type: "join", name: "   " });
    dave.send({ type: "join", name: 42 });
    dave.send({ type: "join", name: "bell\u0007" });
    dave.send({ type: "join", name: "Dave" });
    assert.deepEqual(pick(await nextEvent("Dave's join")), { type: "join", name: "Dave", text: "Dave joined" });

    dave.send({ type: "message", text: "y".repeat(1001) });
    dave.send({ type: "message", text: "   " });
    dave.send({ type: "message", text: 7 });
    dave.send({ type: "shout", text: "unknown type" });
    dave.send({ type: "join", name: "Mallory" }); // a second join is ignored
    dave.send({ type: "message", text: "z".repeat(1000) }); // exactly the limit: accepted
    dave.send({ type: "message", text: "last" });
    const long = await nextEvent("Dave's 1000-character message");
    assert.equal(long.type, "message");
    assert.equal(long.name, "Dave");
    assert.equal(long.text, "z".repeat(1000));
    assert.deepEqual(pick(await nextEvent("Dave's last message")), { type: "message", name: "Dave", text: "last" }, "the second join did not rename Dave");
    assert.deepEqual(carol.received, [], "nothing else reached Carol");
    assert.deepEqual(eve.received, [], "Eve never joined, so she hears nothing");
    assert.equal(dave.ws.readyState, WebSocket.OPEN, "bad input does not close the socket");
  });

  it("refuses a WebSocket from another origin", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { origin: "http://evil.example" });
      ws.once("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once("open", () => reject(new Error("the upgrade was accepted")));
      ws.once("error", () => {});
    });
    assert.equal(status, 403);
  });
});
