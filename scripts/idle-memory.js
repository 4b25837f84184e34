#!/usr/bin/env node
// How much JavaScript heap does an idle keep-alive connection cost sockserve?
//
//   npm run build
//   bash -c 'ulimit -n 30000; node --expose-gc scripts/idle-memory.js'          # 10,000 connections
//   node --expose-gc scripts/idle-memory.js --connections 2000 --json
//
// It starts a sockserve server in this process (from dist/), then a client process (this script
// with --client) opens N connections, sends one request on each, reads the answer and leaves the
// connection open and idle. With global.gc() before and after, it prints the server's heapUsed
// delta divided by N, and the RSS and external-memory deltas, checks that the server still answers
// a normal request while holding them, and closes everything. The clients live in their own
// process so their sockets do not count.
//
// Each process needs N + 256 open files. When `ulimit -n` is too low and the hard limit allows,
// the script re-runs itself under a raised soft limit (and with --expose-gc when missing);
// otherwise it says what to run and exits with code 2.
import { spawn, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(import.meta.url);
const SPARE_FDS = 256;

function usage(message) {
  process.stderr.write(`idle-memory: ${message}\nusage: node --expose-gc scripts/idle-memory.js [--connections N] [--json]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { connections: 10_000, json: false, client: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") options.json = true;
    else if (arg === "--connections" || arg === "-n") {
      const value = argv[++i];
      if (!/^\d+$/.test(value ?? "") || Number(value) < 1) usage(`--connections needs a positive whole number, not ${JSON.stringify(value)}`);
      options.connections = Number(value);
    } else if (arg === "--client") options.client = Number(argv[++i]);
    else if (arg === "-h" || arg === "--help") {
      process.stdout.write("usage: node --expose-gc scripts/idle-memory.js [--connections N] [--json]\n");
      process.exit(0);
    } else usage(`unknown argument ${arg}`);
  }
  return options;
}

/** openFilesLimit reads this process's soft and hard RLIMIT_NOFILE from /proc (Linux). */
function openFilesLimit() {
  try {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const [soft, hard] = line.replace("Max open files", "").trim().split(/\s+/);
    const num = (v) => (v === "unlimited" ? Infinity : Number(v));
    return { soft: num(soft), hard: num(hard) };
  } catch {
    return { soft: Infinity, hard: Infinity }; // not Linux: let the OS say no if it must
  }
}

/** ensureEnvironment re-runs the script when the fd limit or --expose-gc is missing, once. */
function ensureEnvironment(options) {
  const needed = options.connections + SPARE_FDS;
  const { soft, hard } = openFilesLimit();
  const hasGc = typeof globalThis.gc === "function";
  if (soft >= needed && hasGc) return;
  const fixable = hard >= needed && process.env.SOCKSERVE_IDLE_MEMORY_REEXEC !== "1";
  if (!fixable) {
    const lines = [];
    if (soft < needed) {
      lines.push(`the open files limit (ulimit -n) is ${soft}, hard limit ${hard}; ${options.connections} connections need ${needed} in each of the two processes.`);
      lines.push(`Run it with a higher limit (as root, or with a hard limit of at least ${needed}):`);
      lines.push(`  bash -c 'ulimit -n ${Math.max(needed, 30_000)}; node --expose-gc scripts/idle-memory.js --connections ${options.connections}'`);
      lines.push(`or measure fewer connections: --connections ${Math.max(1, Math.min(hard, soft) - SPARE_FDS)}`);
    } else {
      lines.push("global.gc() is missing: run node with --expose-gc.");
    }
    process.stderr.write(`idle-memory: ${lines.join("\nidle-memory: ")}\n`);
    process.exit(2);
  }
  const execArgv = hasGc ? process.execArgv : [...process.execArgv, "--expose-gc"];
  const limit = soft >= needed ? soft : needed;
  const child = spawn("bash", ["-c", `ulimit -n ${limit} && exec "$@"`, "bash", process.execPath, ...execArgv, SCRIPT, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, SOCKSERVE_IDLE_MEMORY_REEXEC: "1" },
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return "reexec";
}

// ---- the client process ------------------------------------------------------------------------

/** runClient opens `count` idle keep-alive connections to `port`, each after one full exchange. */
async function runClient(port, count) {
  const sockets = [];
  let failed = 0;
  let firstError = "";
  const one = () =>
    new Promise((resolve) => {
      const socket = net.connect({ port, host: "127.0.0.1" });
      let buffered = "";
      const fail = (why) => {
        failed++;
        firstError ||= why;
        socket.destroy();
        resolve();
      };
      socket.setEncoding("latin1");
      socket.on("error", (err) => fail(err.message));
      socket.once("connect", () => socket.write("GET / HTTP/1.1\r\nHost: idle-memory\r\n\r\n"));
      const onData = (chunk) => {
        buffered += chunk;
        const end = buffered.indexOf("\r\n\r\n");
        if (end === -1) return;
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? -1);
        if (!buffered.startsWith("HTTP/1.1 200 ") || length < 0) return fail(`unexpected answer ${JSON.stringify(buffered.slice(0, 80))}`);
        if (buffered.length < end + 4 + length) return;
        socket.off("data", onData);
        socket.on("close", () => {
          failed++;
          firstError ||= "the server closed an idle connection";
        });
        sockets.push(socket);
        resolve();
      };
      socket.on("data", onData);
    });
  const BATCH = 200;
  for (let i = 0; i < count; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, one));
  }
  process.send({ ready: sockets.length, failed, firstError });
  process.on("message", (m) => {
    if (m === "close") {
      for (const s of sockets) s.destroy();
      process.exit(0);
    }
  });
}

// ---- the server process ------------------------------------------------------------------------

/** normalRequest sends one GET on a new connection and returns status and body. */
function normalRequest(port) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ port, host: "127.0.0.1" });
    let text = "";
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write("GET /normal HTTP/1.1\r\nHost: idle-memory\r\nConnection: close\r\n\r\n"));
    socket.on("data", (c) => (text += c));
    socket.on("error", (err) => resolve({ status: 0, body: err.message, ms: Date.now() - started }));
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4), ms: Date.now() - started });
    });
  });
}

function collect() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage();
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.client !== null) return runClient(options.client, options.connections);
  if (ensureEnvironment(options) === "reexec") return;

  let dist;
  try {
    dist = await import("../dist/index.js");
  } catch (err) {
    usage(`cannot load ../dist/index.js (run npm run build first): ${err.message}`);
  }
  const server = await dist.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 600, // keep-alive: the connections must stay open while we measure
    fetch: (req) => new Response(new URL(req.url).pathname === "/normal" ? "normal" : "ok"),
    logger: () => {},
  });
  // Warm up what every connection uses (parser, exchange, response path), so the baseline has it.
  for (let i = 0; i < 50; i++) await normalRequest(server.port);
  const before = collect();

  const client = fork(SCRIPT, ["--client", String(server.port), "--connections", String(options.connections)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const report = await new Promise((resolve, reject) => {
    client.once("message", resolve);
    client.once("exit", (code) => reject(new Error(`the client process exited (${code}) before it was ready`)));
  });
  const normal = await normalRequest(server.port);
  const after = collect();
  client.send("close");
  await new Promise((resolve) => client.once("exit", resolve));
  await server.stop(true);

  const held = report.ready;
  const result = {
    connections: options.connections,
    held,
    failed: report.failed,
    firstError: report.firstError || undefined,
    heapUsedBefore: before.heapUsed,
    heapUsedAfter: after.heapUsed,
    heapPerConnection: Math.round((after.heapUsed - before.heapUsed) / Math.max(1, held)),
    externalPerConnection: Math.round((after.external - before.external) / Math.max(1, held)),
    rssPerConnection: Math.round((after.rss - before.rss) / Math.max(1, held)),
    rssDelta: after.rss - before.rss,
    normalRequest: normal,
    node: process.version,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const kib = (n) => `${(n / 1024).toFixed(2)} KiB`;
    process.stdout.write(
      [
        `idle keep-alive connections held: ${held} of ${options.connections}${report.failed ? ` (${report.failed} failed: ${report.firstError})` : ""}`,
        `JS heap per idle connection:   ${result.heapPerConnection} bytes (${kib(result.heapPerConnection)}); heapUsed ${(before.heapUsed / 1e6).toFixed(1)} MB -> ${(after.heapUsed / 1e6).toFixed(1)} MB`,
        `external per idle connection:  ${result.externalPerConnection} bytes`,
        `RSS per idle connection:       ${result.rssPerConnection} bytes (RSS delta ${(result.rssDelta / 1e6).toFixed(1)} MB, includes kernel-side socket costs only partly)`,
        `a normal request meanwhile:    ${normal.status} ${JSON.stringify(normal.body)} in ${normal.ms} ms`,
      ].join("\n") + "\n",
    );
  }
  process.exitCode = held === options.connections && normal.status === 200 ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`idle-memory: ${err?.stack ?? err}\n`);
  process.exit(1);
});
