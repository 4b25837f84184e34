// peers.js: start one peer's server (pinned to a CPU), wait until it answers, stop it.
// A server is told its port in $PORT (and `{port}` in its command) and may print `PORT <n>`.
import { accessSync, constants, existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { pinned, start, stop } from "./procs.js";

const HOST = "127.0.0.1";

/** unavailable returns why a peer cannot run here (a missing command or file), or null. */
export function unavailable(peer, root) {
  for (const cmd of peer.requires ?? []) {
    if (!onPath(cmd)) return `${cmd} is not installed`;
  }
  for (const file of peer.files ?? []) {
    if (!existsSync(path.resolve(root, file))) return `${file} is missing`;
  }
  return null;
}

/**
 * startPeer starts peer.cmd on CPU `cpu`, waits until it accepts connections, checks one
 * `GET path` against `expect` ({ status, body }), and resolves to a handle with stop().
 */
export async function startPeer(peer, { root, cpu, path: urlPath = "/", expect, timeoutMs = 15000 }) {
  const assigned = await freePort();
  const argv = peer.cmd.map((arg) => arg.replaceAll("{port}", String(assigned)));
  const child = start(pinned(cpu, argv), {
    cwd: root,
    env: { ...process.env, ...peer.env, PORT: String(assigned) },
  });
  let announced = null;
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s) => {
    const m = /^PORT (\d+)\s*$/m.exec(s);
    if (m && Number(m[1]) > 0) announced = Number(m[1]);
  });
  child.stderr.setEncoding("utf8").on("data", (s) => (stderr = (stderr + s).slice(-2000)));
  let exit = null;
  child.exited.then((result) => (exit = result));
  const handle = {
    child,
    get port() {
      return announced ?? assigned;
    },
    /** exitedEarly describes how the server died, or is null while it runs. */
    get exitedEarly() {
      if (!exit) return null;
      const how = exit.error ? exit.error.message : `exited (code ${exit.code}, signal ${exit.signal})`;
      return `${peer.name} server ${how}${stderr ? `: ${stderr.trim()}` : ""}`;
    },
    stop: () => stop(child),
  };
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await canConnect(handle.port))) {
      if (handle.exitedEarly) throw new Error(handle.exitedEarly);
      if (Date.now() > deadline) throw new Error(`${peer.name} server did not listen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (expect) await check(handle.port, urlPath, expect, peer.name);
    return handle;
  } catch (err) {
    await stop(child);
    throw err;
  }
}

/** check does one GET and throws unless the status (and body, if given) are as expected. */
async function check(port, urlPath, expect, name) {
  const { status, body } = await get(port, urlPath);
  if (status !== (expect.status ?? 200) || (expect.body != null && body !== expect.body)) {
    throw new Error(`${name} answered GET ${urlPath} with ${status} ${JSON.stringify(body.slice(0, 80))}`);
  }
}

function get(port, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path: urlPath, agent: false, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (s) => (body += s));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function onPath(cmd) {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
