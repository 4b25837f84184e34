// h2-cases.js: the HTTP/2 cases (issue 18), measured with h2load (bench/h2load.js) instead of
// wrk: the hello world over h2c and over TLS against node:http2 (its compatibility and its core
// API) and nginx, 100 small static files against nginx, and a 10 MiB file against sockserve's
// own HTTP/1.1. The case and peer format is cases.js's.
import { h2loadRunner } from "./h2load.js";
import { nginxPrepare } from "./nginx.js";
import { nginxPeer, node } from "./peer-kinds.js";

const tlsArgs = ["{scratch}/cert.pem", "{scratch}/key.pem"];
const certArgs = (tls) => (tls ? tlsArgs : []);

/** helloPeers are sockserve's serve(), node:http2 (compat and core API) and nginx, h2c or TLS. */
const helloPeers = (tls) => [
  { name: "sockserve", cmd: node("bench/servers/sockserve-h2-hello.js", ...certArgs(tls)), files: ["dist/index.js"] },
  { name: "node:http2 compat", cmd: node("bench/servers/node-http2-hello.js", "compat", ...certArgs(tls)) },
  { name: "node:http2 core", cmd: node("bench/servers/node-http2-hello.js", "core", ...certArgs(tls)) },
  nginxPeer(nginxPrepare({ tls, http2: true, hello: true })),
];

const helloCase = (name, title, tls) => ({
  name,
  title,
  runner: h2loadRunner,
  protocol: "h2",
  ...(tls ? { scheme: "https" } : {}),
  h2load: ["-c50", "-m10"],
  expect: { status: 200, body: "Hello, World!" },
  standIn: node("bench/servers/node-http2-hello.js", "compat", ...certArgs(tls)),
  standInLabel: "node:http2 compat",
  peers: helloPeers(tls),
  targets: [
    { vs: "node:http2 compat", metric: "req/s", min: 1.5 },
    { vs: "node:http2 core", metric: "req/s", min: 1.0 },
  ],
  ratios: [{ vs: "nginx", metric: "req/s" }],
});

// Static files over h2c: sockserve's CLI (with --http2) against nginx.
const KiB = 1024;
const smallFiles = Array.from({ length: 100 }, (_, i) => `h2-1k-${String(i).padStart(2, "0")}.bin`);
const sockserveCli = (...flags) => ({
  cmd: node("dist/cli/sockserve.js", "{dir}", ...flags, "--port", "{port}", "--host", "127.0.0.1", "--quiet"),
  files: ["dist/cli/sockserve.js"],
});
const staticStandIn = { standIn: node("bench/servers/node-http2-static.js", "{dir}"), standInLabel: "node:http2" };

export const h2Cases = [
  helloCase("h2-hello", "HTTP/2 hello world, h2c (prior knowledge), 50 connections × 10 streams", false),
  helloCase("h2-hello-tls", "HTTP/2 hello world over TLS 1.3 (ALPN h2), 50 connections × 10 streams", true),
  {
    name: "h2-static",
    title: "HTTP/2 static files: 100 distinct 1 KiB files in turn, h2c, 50 connections × 10 streams",
    runner: h2loadRunner,
    protocol: "h2",
    h2load: ["-c50", "-m10"],
    files: Object.fromEntries(smallFiles.map((f) => [f, KiB])),
    paths: smallFiles.map((f) => `/${f}`),
    path: `/${smallFiles[0]}`,
    expect: { status: 200, file: smallFiles[0] },
    ...staticStandIn,
    peers: [{ name: "sockserve", ...sockserveCli("--http2") }, nginxPeer(nginxPrepare({ http2: true }))],
    targets: [{ vs: "nginx", metric: "req/s", min: 0.6 }],
  },
  {
    name: "h2-10m",
    title: "HTTP/2 static file, 10m.bin (10,485,760 bytes), h2c, 4 connections × 1 stream, against sockserve's HTTP/1.1",
    runner: h2loadRunner,
    protocol: "h2",
    h2load: ["-c4", "-m1"],
    files: { "10m.bin": 10 * KiB * KiB },
    path: "/10m.bin",
    expect: { status: 200, file: "10m.bin" },
    ...staticStandIn,
    peers: [
      { name: "sockserve", ...sockserveCli("--http2") },
      {
        name: "sockserve HTTP/1.1",
        ...sockserveCli(),
        protocol: "http/1.1",
        standInAs: { cmd: node("bench/servers/node-http-static.js", "{dir}"), label: "node:http" },
      },
    ],
    targets: [{ vs: "sockserve HTTP/1.1", metric: "transfer/s", min: 0.8 }],
  },
];
