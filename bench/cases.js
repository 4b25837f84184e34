// cases.js: the benchmark cases. A case names its peers (servers started by command),
// the wrk arguments, one GET that every peer must answer correctly, its ratio columns and targets.
//
// Case:  { name, title, wrk: [args], script?, scriptArgs?, path?, expect?, files?, ratios?, targets?,
//          standIn, standInLabel?, peers, runner?, load?, metrics?, duration? }
//   runner   how a round is measured: wrk (the default), or an object such as ws.js's wsRunner
//            or h2load.js's h2loadRunner ({ name, command(c, duration, warmup), measure({ c,
//            peer, port, serverPid, duration, warmup, cpu }), ensure?(), version?() }) for what
//            wrk cannot do; `load` is the ws runner's own settings, `h2load` [args] h2load's
//   protocol "h2": the check GET speaks HTTP/2 (h2c with prior knowledge, or ALPN h2 with TLS)
//   paths    [paths]: the URIs of h2load's -i file (the check GET is `path`)
//   metrics  [{ name, key, format }]: what a round measures (the table's median/min/max columns),
//            read from the round's result field `key`; format is "int", "bytes" or "ms".
//            Default: wrk's req/s and transfer/s. The first metric decides whether a round counted;
//            its `per` (e.g. "round trip") names a unit for the server's CPU time per unit, noted
//            under the table with the CPU use that wrk rounds and the WebSocket runner report
//            (serverCpu, clientCpu)
//   scheme   "https": wrk and the check GET use TLS (the peers' certificate is not verified)
//   duration seconds per round when neither --duration nor BENCH_DURATION is given (default 5)
//   expect   { status, body?: string } or { status, file: name }: the check GET before measuring
//   files    { name: size }: static files (random bytes) written to the run's temp dir, `{dir}`
//   targets  [{ peer?: "sockserve", vs, metric, min }]: peer's ratio vs `vs` must be >= min;
//            each target's ratio is a table column
//   ratios   [{ vs: peer, metric: "req/s" | "transfer/s" | another of the case's metrics }]: more
//            table columns (after the targets'): every peer's median of metric divided by the
//            named peer's
//   standIn  the peer command that replaces a peer under --stand-in / --stand-in-for
//            (standInLabel names it in the table; default "node:http")
// Peer:  { name, cmd: [argv], env?, requires?: [commands on PATH], apt?: package, files?: [paths
//          from the repo root], prepare?(ctx), expectSocketErrors?: reason, version?: [argv],
//          protocol?: "http/1.1" | "h2", standInAs?: { cmd: [argv], label } }
//   protocol overrides the case's for this peer (h2load then runs with --h1); standInAs
//   overrides the case's standIn and standInLabel for this peer.
//   cmd placeholders: {port} (also $PORT), {dir} (the static files), {scratch} (a fresh dir per
//   server start; prepare({ port, dir, scratch }) may write a config there before the start).
//   apt: a Debian package that provides `requires`, installed with apt-get (as root) if missing.
//   expectSocketErrors: wrk's socket errors for this peer are notes, not ⚠ problems.
// Paths are relative to the repo root.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { h2Cases } from "./h2-cases.js";
import { nginxPrepare } from "./nginx.js";
import { nginxPeer, node } from "./peer-kinds.js";
import { wsRunner } from "./ws.js";

// BENCH_BASELINE=DIR adds a peer "baseline": the same sockserve server run from another built
// checkout (an earlier commit), so a change is measured before and after in one run.
const baseline = process.env.BENCH_BASELINE;
const baselinePeer = (script, ...args) =>
  baseline === undefined ? [] : [{ name: "baseline", cmd: node(path.join(baseline, script), ...args), files: [] }];

// Hello world (sockserve's serve() against node:http, and nginx's `return 200` as the floor of
// server CPU per request).
const helloPeers = [
  { name: "sockserve", cmd: node("bench/servers/sockserve-hello.js"), files: ["dist/index.js"] },
  { name: "node:http", cmd: node("bench/servers/node-http-hello.js") },
  nginxPeer(nginxPrepare({ hello: true })),
  ...baselinePeer("bench/servers/sockserve-hello.js"),
];
const hello = {
  wrk: ["-t1", "-c50"],
  expect: { status: 200, body: "Hello, World!" },
  ratios: [{ vs: "node:http", metric: "req/s" }, { vs: "nginx", metric: "req/s" }],
  standIn: node("bench/servers/node-http-hello.js"),
  peers: helloPeers,
};

// Hello world over HTTPS (TLS 1.3, one certificate for all, ECDSA P-256): sockserve against
// node:https and nginx. Each peer reads {scratch}/cert.pem and key.pem (the harness copies them
// there for every start of a TLS case).
const tlsArgs = ["{scratch}/cert.pem", "{scratch}/key.pem"];
const helloTls = {
  name: "hello-tls",
  title: "Hello world over HTTPS (TLS 1.3), keep-alive",
  scheme: "https",
  wrk: ["-t1", "-c50"],
  expect: { status: 200, body: "Hello, World!" },
  standIn: node("bench/servers/node-https-hello.js", ...tlsArgs),
  standInLabel: "node:https",
  peers: [
    { name: "sockserve", cmd: node("bench/servers/sockserve-hello-tls.js", ...tlsArgs), files: ["dist/index.js"] },
    { name: "node:https", cmd: node("bench/servers/node-https-hello.js", ...tlsArgs) },
    nginxPeer(nginxPrepare({ tls: true, hello: true })),
  ],
  ratios: [{ vs: "nginx", metric: "req/s" }],
  targets: [{ vs: "node:https", metric: "req/s", min: 1.3 }],
};

// Static files (sockserve's CLI against nginx and Python's http.server), all from {dir}.
const KiB = 1024;
const MiB = 1024 * KiB;
const staticSizes = { "1k.bin": KiB, "100k.bin": 100 * KiB, "10m.bin": 10 * MiB };
const staticPeers = [
  {
    name: "sockserve",
    cmd: node("dist/cli/sockserve.js", "{dir}", "--port", "{port}", "--host", "127.0.0.1", "--quiet"),
    files: ["dist/cli/sockserve.js"],
  },
  nginxPeer(nginxPrepare()),
  ...baselinePeer("dist/cli/sockserve.js", "{dir}", "--port", "{port}", "--host", "127.0.0.1", "--quiet"),
  {
    name: "python",
    cmd: ["python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory", "{dir}"],
    requires: ["python3"],
    expectSocketErrors: "python3 -m http.server answers HTTP/1.0 and closes every connection",
    version: ["python3", "--version"],
  },
];
const staticCase = (name, file, extra) => ({
  name,
  title: `Static file, ${file} (${staticSizes[file].toLocaleString("en-US")} bytes)`,
  wrk: ["-t1", "-c50"],
  path: `/${file}`,
  expect: { status: 200, file },
  files: staticSizes,
  standIn: node("bench/servers/node-http-static.js", "{dir}"),
  peers: staticPeers,
  ...extra,
});

// WebSocket (sockserve's serve() with `websocket` against the `ws` package's WebSocketServer),
// measured by ws-load.js, a `ws` client, instead of wrk. Neither side uses permessage-deflate.
const wsPackage = ["node_modules/ws/package.json"];
const wsPackageJson = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", wsPackage[0]);
const wsCase = (name, title, load, extra) => ({
  name,
  title,
  runner: wsRunner,
  load,
  duration: 10,
  standIn: node(`bench/servers/${name}.js`),
  standInLabel: "ws",
  peers: [
    { name: "sockserve", cmd: node(`bench/servers/sockserve-${name}.js`), files: ["dist/index.js"] },
    { name: "ws", cmd: node(`bench/servers/${name}.js`), files: wsPackage, version: [process.execPath, "-p", `require(${JSON.stringify(wsPackageJson)}).version`] },
  ],
  ...extra,
});

// Pub/sub across two nodes through Redis (a private redis-server started with the nodes by
// bench/servers/pubsub-2-nodes.js): sockserve's serve({ pubsub: redisPubSub() }) against
// Socket.IO with @socket.io/redis-adapter, measured by pubsub-load.js.
const pkg = (name) => path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules", name, "package.json");
function pubsubCase() {
  const nodes = (script) => node("bench/servers/pubsub-2-nodes.js", script);
  return {
    name: "pubsub-2-nodes",
    title: "Pub/sub on 2 nodes through Redis: 500 subscribers on each, one publisher on node A, 64-byte messages",
    runner: wsRunner,
    load: { script: "pubsub-load.js", args: ["--subscribers", "500", "--size", "64", "--window", "16"] },
    duration: 10,
    standIn: nodes("sockserve-pubsub-node.js"),
    standInLabel: "sockserve",
    peers: [
      { name: "sockserve", cmd: nodes("sockserve-pubsub-node.js"), files: ["dist/index.js", "dist/pubsub/redis-pubsub.js"], requires: ["redis-server"], apt: "redis-server", loadArgs: ["--kind", "sockserve"] },
      {
        name: "socket.io",
        cmd: nodes("socketio-pubsub-node.js"),
        files: ["node_modules/socket.io/package.json", "node_modules/@socket.io/redis-adapter/package.json", "node_modules/socket.io-client/package.json"],
        requires: ["redis-server"],
        apt: "redis-server",
        loadArgs: ["--kind", "socketio"],
        version: [process.execPath, "-p", `require(${JSON.stringify(pkg("socket.io"))}).version`],
      },
    ],
    metrics: [
      { name: "deliveries/s", key: "deliveriesPerSec", format: "int", per: "delivery" },
      { name: "node A deliveries/s", key: "nodeAPerSec", format: "int" },
      { name: "node B deliveries/s", key: "nodeBPerSec", format: "int" },
    ],
    targets: [{ vs: "socket.io", metric: "deliveries/s", min: 2 }],
  };
}

// The Todo app (SQLite, 100 todos) under load; there is no peer, so its figures are reported alone.
const todoPeers = [
  { name: "sockserve", cmd: node("bench/servers/todo.js", "{scratch}/todo.db"), files: ["dist/index.js", "build/todo/app.js"] },
];
const todoCase = (name, title, extra) => ({
  name,
  title,
  wrk: ["-t1", "-c50"],
  path: "/api/todos",
  expect: { status: 200 },
  standIn: node("bench/servers/todo.js", "{scratch}/todo.db"),
  standInLabel: "sockserve",
  peers: todoPeers,
  ...extra,
});

export const cases = [
  {
    name: "keepalive",
    title: "Hello world, keep-alive",
    ...hello,
    // The floor of any node:net server: how much of the CPU per request is Node's own.
    peers: [...helloPeers, { name: "node:net floor", cmd: node("bench/servers/node-net-floor.js") }],
    targets: [{ vs: "node:http", metric: "req/s", min: 1.6 }],
  },
  {
    name: "pipelined",
    title: "Hello world, 16 requests pipelined per write",
    ...hello,
    script: "bench/pipeline.lua",
    scriptArgs: ["16"],
    targets: [{ vs: "node:http", metric: "req/s", min: 5 }],
  },
  helloTls,
  staticCase("static-1k", "1k.bin", {
    targets: [
      { vs: "nginx", metric: "req/s", min: 0.6 },
      { vs: "python", metric: "req/s", min: 5 },
    ],
  }),
  staticCase("static-100k", "100k.bin", {
    ratios: [
      { vs: "nginx", metric: "req/s" },
      { vs: "python", metric: "req/s" },
    ],
  }),
  staticCase("static-10m", "10m.bin", {
    wrk: ["-t1", "-c50", "--timeout", "10s"],
    ratios: [{ vs: "python", metric: "transfer/s" }],
    targets: [{ vs: "nginx", metric: "transfer/s", min: 0.7 }],
  }),
  wsCase("ws-echo", "WebSocket echo, 50 connections ping-ponging 32-byte binary messages", {
    mode: "echo",
    args: ["--connections", "50", "--size", "32"],
  }, {
    metrics: [{ name: "msg/s", key: "msgPerSec", format: "int", per: "round trip" }],
    targets: [{ vs: "ws", metric: "msg/s", min: 1.0 }],
  }),
  wsCase("ws-broadcast", "WebSocket broadcast, a 64-byte message published to 1,000 subscribers", {
    mode: "broadcast",
    args: ["--subscribers", "1000", "--size", "64", "--window", "16", "--samples", "50"],
  }, {
    metrics: [
      { name: "deliveries/s", key: "deliveriesPerSec", format: "int", per: "delivery" },
      { name: "ms to reach all", key: "publishMs", format: "ms" },
    ],
    ratios: [
      { vs: "ws", metric: "deliveries/s" },
      { vs: "ws", metric: "ms to reach all" },
    ],
  }),
  pubsubCase(),
  {
    name: "routes-100",
    title: "100 routes: a :param route near the end of the table, against the same server with one fetch handler",
    wrk: ["-t1", "-c50"],
    path: "/api/v1/resource-39/12345",
    expect: { status: 200, body: "resource 39 item 12345" },
    standIn: node("bench/servers/node-http-hello.js"),
    peers: [
      { name: "sockserve", cmd: node("bench/servers/sockserve-routes.js"), files: ["dist/index.js"] },
      { name: "fetch only", cmd: node("bench/servers/sockserve-param-fetch.js"), files: ["dist/index.js"] },
    ],
    ratios: [{ vs: "fetch only", metric: "req/s" }],
  },
  todoCase("todo-list", "Todo app: GET the list of 100 todos", {}),
  todoCase("todo-create", "Todo app: POST a new todo (SQLite, synchronous=FULL)", { script: "bench/todo-create.lua" }),
  todoCase("todo-update", "Todo app: PATCH a todo (SQLite, synchronous=FULL)", { script: "bench/todo-update.lua" }),
  ...h2Cases,
];

/** wrkMetrics are what a wrk round measures; a case without `metrics` has these. */
export const wrkMetrics = [
  { name: "req/s", key: "reqPerSec", format: "int", per: "request" },
  { name: "transfer/s", key: "transferPerSec", format: "bytes" },
];
for (const c of cases) c.metrics ??= wrkMetrics;

/** ratioColumns lists a case's ratio columns: its targets', then its other ratios (no repeats). */
export function ratioColumns(c) {
  const cols = [];
  for (const { vs, metric } of [...(c.targets ?? []), ...(c.ratios ?? [])]) {
    if (!cols.some((col) => col.vs === vs && col.metric === metric)) cols.push({ vs, metric });
  }
  return cols;
}

// Catch a mistyped peer or metric when the harness loads, not after minutes of measuring.
for (const c of cases) {
  const names = c.peers.map((p) => p.name);
  for (const r of [...(c.ratios ?? []), ...(c.targets ?? [])]) {
    if (!names.includes(r.vs)) throw new Error(`case ${c.name}: no peer ${r.vs}`);
    if (!names.includes(r.peer ?? "sockserve")) throw new Error(`case ${c.name}: no peer ${r.peer}`);
    const metrics = c.metrics.map((m) => m.name);
    if (!metrics.includes(r.metric)) throw new Error(`case ${c.name}: metric must be one of ${metrics.join(", ")}`);
  }
}
