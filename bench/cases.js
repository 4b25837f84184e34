// cases.js: the benchmark cases. A case names its peers (servers started by command),
// the wrk arguments, one GET that every peer must answer correctly, and its targets.
//
// Case:  { name, title, wrk: [args], script?, scriptArgs?, path?, expect?, baseline, targets?, peers }
// Peer:  { name, cmd: [argv], env?, requires?: [commands on PATH], files?: [paths from the repo root] }
// Paths are relative to the repo root; `{port}` in cmd and $PORT give the port to listen on.

const node = (script) => [process.execPath, script];

const helloPeers = [
  { name: "sockserve", cmd: node("bench/servers/sockserve-hello.js"), files: ["dist/index.js"] },
  { name: "node:http", cmd: node("bench/servers/node-http-hello.js") },
];
const hello = { status: 200, body: "Hello, World!" };

export const cases = [
  {
    name: "keepalive",
    title: "Hello world, keep-alive",
    wrk: ["-t1", "-c50"],
    expect: hello,
    baseline: "node:http",
    targets: { sockserve: 1.3 },
    peers: helloPeers,
  },
  {
    name: "pipelined",
    title: "Hello world, 16 requests pipelined per write",
    wrk: ["-t1", "-c50"],
    script: "bench/pipeline.lua",
    scriptArgs: ["16"],
    expect: hello,
    baseline: "node:http",
    targets: { sockserve: 5 },
    peers: helloPeers,
  },
];
