// serve({ workers }) in a child process, for test/ops/workers.test.ts and workers-tickets.test.ts.
// Options come as JSON in argv[2]: { workers, drainTimeout, versionFile, port, tlsCert, tlsKey
// (PEM files: serve HTTPS), ticketKeyRotation (seconds), http2 (h2c beside HTTP/1.1) }. The primary prints
// "PRIMARY <pid> PORT <port> URL <url> WORKERS <n> ISPRIMARY <bool>" and obeys stdin lines
// "publish <text>" (ClusterServer.publish) and "restart" (ClusterServer.rollingRestart()); each
// worker prints "WORKER <pid> READY <version>".
//
//   GET /pid                  "<pid> <version>"; version is versionFile's content when the worker started
//   GET /slow?ms=N            waits N ms (prints "SLOW <pid>" when it starts), then "slow <pid>"
//   GET /publish?msg=TEXT     server.publish("room", TEXT) in this worker
//   GET /peer                 "<pid> <client port>" (which connection the request came on)
//   GET /ws                   WebSocket: subscribed to "room", greeted with "hello <pid>";
//                             "pub:TEXT" → ws.publish("room", "<pid>:TEXT"); anything else echoed
// With { crashAtStart: true } every worker exits with code 3 before it calls serve().
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { serve } from "../../src/index.js";
import { ClusterServer } from "../../src/server/cluster-server.js";

interface AppOptions {
  workers?: number;
  drainTimeout?: number;
  versionFile?: string;
  port?: number;
  crashAtStart?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  ticketKeyRotation?: number;
  http2?: boolean;
}

const options = JSON.parse(process.argv[2] ?? "{}") as AppOptions;
if (options.crashAtStart === true && (await import("node:cluster")).default.isWorker) process.exit(3);
const version = options.versionFile ? readFileSync(options.versionFile, "utf8").trim() : "v0";

const server = await serve({
  port: options.port ?? 0,
  hostname: "127.0.0.1",
  workers: options.workers ?? 2,
  drainTimeout: options.drainTimeout ?? 10,
  health: true,
  ...(options.tlsCert === undefined ? {} : { tls: { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey!) } }),
  ...(options.ticketKeyRotation === undefined ? {} : { ticketKeyRotation: options.ticketKeyRotation }),
  http2: options.http2 === true,
  async fetch(req, srv) {
    const url = new URL(req.url);
    switch (url.pathname) {
      case "/pid":
        return new Response(`${process.pid} ${version}`);
      case "/slow": {
        process.stdout.write(`SLOW ${process.pid}\n`);
        await new Promise((r) => setTimeout(r, Number(url.searchParams.get("ms") ?? 1000)));
        return new Response(`slow ${process.pid}`);
      }
      case "/peer":
        return new Response(`${process.pid} ${srv.requestIP(req)?.port}`);
      case "/publish":
        return new Response(String(srv.publish("room", url.searchParams.get("msg") ?? "")));
      case "/ws":
        if (srv.upgrade(req, { data: null })) return;
        return new Response("expected a WebSocket", { status: 426 });
      default:
        return new Response("not found", { status: 404 });
    }
  },
  websocket: {
    open(ws) {
      ws.subscribe("room");
      ws.send(`hello ${process.pid}`);
    },
    message(ws, message) {
      const text = String(message);
      if (text.startsWith("pub:")) ws.publish("room", `${process.pid}:${text.slice(4)}`);
      else ws.send(text);
    },
  },
});

if (server instanceof ClusterServer) {
  const primary = server;
  process.stdout.write(`PRIMARY ${process.pid} PORT ${primary.port} URL ${primary.url.href} WORKERS ${primary.workers} ISPRIMARY ${primary.isPrimary}\n`);
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.startsWith("publish ")) primary.publish("room", line.slice(8));
    else if (line === "restart") void primary.rollingRestart().then(() => process.stdout.write(`RESTARTED WORKERS ${primary.workers}\n`));
  });
} else {
  process.stdout.write(`WORKER ${process.pid} READY ${version}\n`);
}
