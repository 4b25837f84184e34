// ws-load.js: the load client of the WebSocket cases (wrk cannot speak WebSocket). It uses the
// `ws` package as the client, runs a warm-up, then measures, and prints one JSON line on stdout.
// The harness runs it pinned to CPU 0 (`taskset -c 0`); it can also be run by hand:
//
//   node bench/ws-load.js echo --port P [--connections 50] [--size 32] [--duration 10] [--warmup 1]
//   node bench/ws-load.js broadcast --port P [--subscribers 1000] [--size 64] [--window 16]
//                                   [--samples 50] [--duration 10] [--warmup 1]
//
// echo:      `connections` sockets each run a ping-pong loop: send `size` random bytes (binary),
//            wait for the echo, check it is the same bytes, send again. Reports round trips/s
//            summed over the sockets (msgPerSec).
// broadcast: `subscribers` sockets open /sub (in batches of 50, each batch after the last is
//            open), and one publisher socket opens /pub. The publisher asks "count" until the
//            server reports every subscriber in, then sends `size`-byte binary messages (a
//            sequence number in the first 4 bytes), which the server publishes to all of them.
//            Throughput: `window` publishes in flight, a new one as soon as the oldest has reached
//            every subscriber; reports deliveries/s (messages received by all subscribers /
//            elapsed). Then `samples` single publishes, one at a time: reports the median time
//            from sending one to its arrival at the last subscriber (publishMs).
// Every subscriber checks it receives every message once, in order and of the right size.
//
// With --server-pid, the server's CPU time (from /proc/PID/stat) over the measured phase is
// reported as serverCpu (1 = one core busy), with the client's own as clientCpu.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { cpuTicks } from "./procs.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    connections: { type: "string", default: "50" },
    subscribers: { type: "string", default: "1000" },
    size: { type: "string" },
    window: { type: "string", default: "16" },
    samples: { type: "string", default: "50" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "1" },
    "server-pid": { type: "string" },
  },
});

const mode = positionals[0];
const num = (name, min) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min) fail(`--${name} must be a number >= ${min}, not ${values[name]}`);
  return n;
};

function fail(message) {
  process.stderr.write(`ws-load: ${message}\n`);
  process.exit(1);
}

if (mode !== "echo" && mode !== "broadcast") fail("usage: ws-load.js echo|broadcast --port P [options]");
if (values.port === undefined) fail("--port is required");
const base = `ws://${values.host}:${num("port", 1)}`;
const duration = num("duration", 0.1) * 1000;
const warmup = num("warmup", 0) * 1000;
const serverPid = values["server-pid"] === undefined ? null : num("server-pid", 1);

// The client must end by itself: setup, warm-up, the measurement and the latency samples get
// this long in all, then the run fails (the harness also stops this process by PID if it hangs).
const budgetMs = warmup + duration + 60_000;
setTimeout(() => fail(`did not finish within ${budgetMs / 1000} s`), budgetMs).unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** connect opens one client socket (no permessage-deflate) and resolves when it is open. */
function connect(path) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}${path}`, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    ws.once("open", () => {
      ws.off("error", reject);
      ws.on("error", (err) => fail(`socket error on ${path}: ${err.message}`));
      ws.on("close", (code) => closed(path, code));
      resolve(ws);
    });
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`${path}: HTTP ${res.statusCode} instead of 101`)));
  });
}

// A socket the server closes while the run is on is a failure; at the end, the client closes them.
let ending = false;
function closed(path, code) {
  if (!ending) fail(`the server closed a socket on ${path} (code ${code})`);
}

/** meter measures the wall time, this process's CPU and the server's CPU from start() to stop(). */
function meter() {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const server0 = serverPid === null ? null : cpuTicks(serverPid);
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const server1 = serverPid === null ? null : cpuTicks(serverPid);
    return {
      seconds,
      clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
      serverCpu: server0 == null || server1 == null ? null : (server1 - server0) / 100 / seconds,
    };
  };
}

/** openFilesLimit is this process's soft limit on open files, from /proc/self/limits (or null). */
function openFilesLimit() {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m && m[1] !== "unlimited" ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function closeAll(sockets) {
  ending = true;
  for (const ws of sockets) ws.terminate();
}

// ---- echo -----------------------------------------------------------------------------------

async function echo() {
  const connections = num("connections", 1);
  const size = values.size === undefined ? 32 : num("size", 1);
  const payload = randomBytes(size);
  const sockets = await Promise.all(Array.from({ length: connections }, () => connect("/")));
  let counting = false;
  let roundTrips = 0;
  let mismatches = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on("message", (data, isBinary) => {
      if (!isBinary || !payload.equals(data)) mismatches++;
      if (counting) roundTrips++;
      if (running) ws.send(payload);
    });
    ws.send(payload);
  }
  await sleep(warmup);
  counting = true;
  const stop = meter();
  await sleep(duration);
  counting = false;
  const m = stop();
  running = false;
  closeAll(sockets);
  return {
    mode: "echo",
    connections,
    size,
    msgPerSec: roundTrips / m.seconds,
    roundTrips,
    seconds: m.seconds,
    clientCpu: m.clientCpu,
    serverCpu: m.serverCpu,
    errors: mismatches ? [`${mismatches} echoes differed from what was sent`] : [],
  };
}

// ---- broadcast ------------------------------------------------------------------------------

async function broadcast() {
  const count = num("subscribers", 1);
  const size = values.size === undefined ? 64 : num("size", 4);
  const window = num("window", 1);
  const samples = num("samples", 1);
  const limit = openFilesLimit();
  if (limit !== null && limit < count + 64) fail(`${count} subscribers need more open files than the limit of ${limit} (ulimit -n)`);

  // Subscribers, opened in batches so the server's accept backlog never overflows.
  const subs = [];
  for (let i = 0; i < count; i += 50) {
    subs.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => connect("/sub")))));
  }
  const pub = await connect("/pub");

  // Wait until the server has every subscriber in its topic.
  const ask = () =>
    new Promise((resolve) => {
      pub.once("message", (data) => resolve(Number(data.toString())));
      pub.send("count");
    });
  for (let waited = 0; (await ask()) !== count; waited += 20) {
    if (waited > 10_000) fail(`the server reports ${await ask()} subscribers, not ${count}`);
    await sleep(20);
  }

  // Deliveries: each subscriber expects the sequence numbers in order; `pending` counts, per
  // message in flight, the subscribers still waiting for it.
  const errors = { lost: 0, size: 0 };
  const pending = new Map(); // seq -> { left, sentAt, done, timer }
  let deliveries = 0;
  let next = 0;
  const body = randomBytes(size);
  for (const ws of subs) {
    let expected = 0;
    ws.on("message", (data) => {
      if (data.length !== size) errors.size++;
      const seq = data.readUInt32LE(0);
      if (seq !== expected) errors.lost++;
      expected = seq + 1;
      deliveries++;
      const p = pending.get(seq);
      if (p && --p.left === 0) {
        pending.delete(seq);
        clearTimeout(p.timer);
        p.done(performance.now() - p.sentAt);
      }
    });
  }
  const publish = () =>
    new Promise((resolve) => {
      const seq = next++;
      const message = Buffer.from(body);
      message.writeUInt32LE(seq, 0);
      const p = { left: count, sentAt: performance.now(), done: resolve, timer: null };
      // A message that never reaches everyone (dropped by the server) fails the run, not hangs it.
      p.timer = setTimeout(() => fail(`message ${seq} reached ${count - p.left} of ${count} subscribers in 10 s`), 10_000);
      pending.set(seq, p);
      pub.send(message);
    });

  // Throughput: `window` publishes in flight until the phase ends, then wait for the last ones.
  async function flood(ms) {
    const until = performance.now() + ms;
    const lane = async () => {
      while (performance.now() < until) await publish();
    };
    await Promise.all(Array.from({ length: window }, lane));
  }
  await flood(warmup);
  const before = deliveries;
  const stop = meter();
  await flood(duration);
  const m = stop();
  const delivered = deliveries - before;

  // Latency: single publishes, one at a time.
  const times = [];
  for (let i = 0; i < samples; i++) {
    times.push(await publish());
    await sleep(1);
  }
  times.sort((a, b) => a - b);
  closeAll([...subs, pub]);
  const problems = [];
  if (errors.lost) problems.push(`${errors.lost} deliveries out of sequence (lost or repeated)`);
  if (errors.size) problems.push(`${errors.size} deliveries of the wrong size`);
  return {
    mode: "broadcast",
    subscribers: count,
    size,
    window,
    deliveriesPerSec: delivered / m.seconds,
    deliveries: delivered,
    publishes: Math.round(delivered / count),
    seconds: m.seconds,
    publishMs: times[times.length >> 1],
    publishMsMin: times[0],
    publishMsMax: times[times.length - 1],
    samples,
    clientCpu: m.clientCpu,
    serverCpu: m.serverCpu,
    errors: problems,
  };
}

try {
  const result = mode === "echo" ? await echo() : await broadcast();
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
} catch (err) {
  fail(err.message);
}
