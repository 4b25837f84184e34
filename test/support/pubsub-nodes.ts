// Starts test/support/pubsub-node.ts processes and connects `ws` subscribers to them: each
// subscriber records what it receives (text or binary, bytes) in order.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import WebSocket from "ws";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** PubSubNode is a running node process. */
export interface PubSubNode {
  port: number;
  child: ChildProcess;
  /** stderr is what the node logged so far (outage lines). */
  stderr: string;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  publish(topic: string, body: Uint8Array, binary: boolean, compress?: boolean): Promise<number>;
  status(): Promise<string>;
  /** stop signals the node's PID (SIGKILL; SIGTERM lets a primary stop its workers) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** startNode runs one node on the given broker (with `workers`: a primary and its workers). */
export function startNode(broker: "redis" | "postgres", url: string, workers?: number): Promise<PubSubNode> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/pubsub-node.ts", JSON.stringify({ broker, url, workers })], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const base = (): string => `http://127.0.0.1:${node.port}`;
    const node: PubSubNode = {
      port: 0,
      child,
      stderr: "",
      exited: null,
      async publish(topic, body, binary, compress = false) {
        const res = await fetch(`${base()}/publish?topic=${encodeURIComponent(topic)}&binary=${binary ? 1 : 0}&compress=${compress ? 1 : 0}`, { method: "POST", body });
        return Number(await res.text());
      },
      async status() {
        return (await fetch(`${base()}/status`)).text();
      },
      stop(signal: NodeJS.Signals = "SIGKILL") {
        if (node.exited) return Promise.resolve();
        return new Promise((done) => {
          child.once("exit", () => done());
          process.kill(child.pid!, signal);
        });
      },
    };
    const timer = setTimeout(() => {
      process.kill(child.pid!, "SIGKILL");
      reject(new Error(`pubsub node did not start: ${out} ${node.stderr}`));
    }, 20_000);
    child.stderr.setEncoding("utf8").on("data", (s: string) => (node.stderr += s));
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const m = /PORT (\d+)/.exec(out);
      if (m !== null && node.port === 0) {
        node.port = Number(m[1]);
        clearTimeout(timer);
        resolve(node);
      }
    });
    child.once("exit", (code, signal) => {
      node.exited = { code, signal };
      clearTimeout(timer);
      reject(new Error(`pubsub node exited (${code ?? signal}): ${node.stderr}`));
    });
  });
}

/** Received is one message a subscriber got. */
export interface Received {
  binary: boolean;
  bytes: Buffer;
}

/** Subscriber is a `ws` client subscribed to a topic on a node. */
export interface Subscriber {
  ws: WebSocket;
  received: Received[];
  /** until waits (bounded) until `done(received)` holds. */
  until(done: (received: Received[]) => boolean, ms?: number): Promise<void>;
}

/** subscribe opens a WebSocket to a node's /ws, subscribed to `topic` (permessage-deflate offered). */
export function subscribe(port: number, topic: string): Promise<Subscriber> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?topic=${encodeURIComponent(topic)}`, { perMessageDeflate: true, maxPayload: 4 * 1024 * 1024 });
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    received.push({ binary: isBinary, bytes: data });
    for (const w of waiters) w();
  });
  const sub: Subscriber = {
    ws,
    received,
    until(done, ms = 15_000) {
      if (done(received)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!done(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out with ${received.length} message(s)`));
        }, ms);
        waiters.add(check);
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(sub));
    ws.once("error", reject);
  });
}
