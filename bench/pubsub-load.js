// pubsub-load.js: the load client of the pubsub-2-nodes case. It asks node A (--port) for node
// B's port (GET /other), opens --subscribers sockets on each node and one publisher on node A,
// then publishes --size-byte binary messages (a uint32 sequence number first), --window of them
// in flight, each done once every subscriber on both nodes has it. Prints one JSON line with
// deliveries per second in all and per node. --kind sockserve uses `ws`; --kind socketio uses
// socket.io-client (websocket transport only).
//   node bench/pubsub-load.js --kind sockserve|socketio --port P [--subscribers 500] [--size 64]
//        [--window 16] [--duration 10] [--warmup 1] [--server-pid PID]
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import WebSocket from "ws";

const { values } = parseArgs({
  options: {
    kind: { type: "string" }, port: { type: "string" }, subscribers: { type: "string", default: "500" },
    size: { type: "string", default: "64" }, window: { type: "string", default: "16" },
    duration: { type: "string", default: "10" }, warmup: { type: "string", default: "1" }, "server-pid": { type: "string" },
  },
});
const fail = (message) => {
  process.stderr.write(`pubsub-load: ${message}\n`);
  process.exit(1);
};
const kind = values.kind ?? "sockserve";
if (kind !== "sockserve" && kind !== "socketio") fail("--kind must be sockserve or socketio");
const [count, size, window] = [values.subscribers, values.size, values.window].map(Number);
const duration = Number(values.duration) * 1000;
const warmup = Number(values.warmup) * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const portA = Number(values.port);
const portB = Number(await (await fetch(`http://127.0.0.1:${portA}/other`)).text());

/** connect opens a socket and resolves to { send(buffer), onMessage(fn), close() }. */
function connect(port, role) {
  return new Promise((resolve, reject) => {
    if (kind === "sockserve") {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/${role}`, { perMessageDeflate: false });
      ws.once("open", () => resolve({ send: (b) => ws.send(b), onMessage: (fn) => ws.on("message", (d) => fn(d)), close: () => ws.terminate() }));
      ws.once("error", reject);
    } else {
      const s = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], query: { role }, reconnection: false, forceNew: true });
      s.once("connect", () => resolve({ send: (b) => s.emit("m", b), onMessage: (fn) => s.on("m", (d) => fn(Buffer.from(d))), close: () => s.disconnect() }));
      s.once("connect_error", reject);
    }
  });
}

async function subscribers(port) {
  const subs = [];
  for (let i = 0; i < count; i += 50) subs.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => connect(port, "sub")))));
  for (let waited = 0; Number(await (await fetch(`http://127.0.0.1:${port}/count`)).text()) !== count; waited += 20) {
    if (waited > 10_000) fail(`node on ${port} does not report ${count} subscribers`);
    await sleep(20);
  }
  return subs;
}

const nodes = [await subscribers(portA), await subscribers(portB)];
const pub = await connect(portA, "pub");
const total = 2 * count;
const delivered = [0, 0];
const errors = { order: 0 };
const pending = new Map(); // seq -> { left, done, timer }
let next = 0;
nodes.forEach((subs, n) => {
  for (const s of subs) {
    let expected = -1;
    s.onMessage((data) => {
      const seq = data.readUInt32LE(0);
      if (expected !== -1 && seq !== expected) errors.order++;
      expected = seq + 1;
      delivered[n]++;
      const p = pending.get(seq);
      if (p && --p.left === 0) {
        pending.delete(seq);
        clearTimeout(p.timer);
        p.done();
      }
    });
  }
});
const body = Buffer.alloc(size, 0x61);
const publish = (patience = 10_000) =>
  new Promise((resolve) => {
    const seq = next++;
    const message = Buffer.from(body);
    message.writeUInt32LE(seq, 0);
    const p = { left: total, done: () => resolve(true), timer: null };
    p.timer = setTimeout(() => (patience < 10_000 ? (pending.delete(seq), resolve(false)) : fail(`message ${seq} reached ${total - p.left} of ${total} subscribers in 10 s`)), patience);
    pending.set(seq, p);
    pub.send(message);
  });

// The second node's subscription to the broker may lag its sockets: publish until one reaches all.
for (let tries = 0; !(await publish(500)); tries++) if (tries > 40) fail("no message reached both nodes' subscribers");
errors.order = 0; // the probes lost before both nodes were subscribed do not count
async function flood(ms) {
  const until = performance.now() + ms;
  await Promise.all(Array.from({ length: window }, async () => {
    while (performance.now() < until) await publish();
  }));
}
await flood(warmup);
const before = [...delivered];
const t0 = performance.now();
await flood(duration);
const seconds = (performance.now() - t0) / 1000;
const [a, b] = [delivered[0] - before[0], delivered[1] - before[1]];
for (const s of [...nodes.flat(), pub]) s.close();
process.stdout.write(`${JSON.stringify({
  kind, subscribersPerNode: count, size, window, seconds,
  deliveriesPerSec: (a + b) / seconds, nodeAPerSec: a / seconds, nodeBPerSec: b / seconds,
  errors: errors.order ? [`${errors.order} deliveries out of sequence`] : [],
})}\n`, () => process.exit(0));
