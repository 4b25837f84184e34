// peers.js: start one peer's server (pinned to a CPU), wait until it answers, stop it.
// A server is told its port in $PORT (and `{port}` in its command) and may print `PORT <n>`
// (or a URL `http://127.0.0.1:<n>/`). Its stderr goes to a file in its scratch dir, so a chatty
// server (python's http.server logs every request) does not make the harness busy reading it.
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { aptInstall, onPath } from "./apt.js";
import { h2Get } from "./h2-get.js";
import { pinned, start, stop } from "./procs.js";
import { copyCert } from "./tls-cert.js";
import { removeScratch, scratchDir } from "./workdir.js";

const HOST = "127.0.0.1";

/**
 * unavailable returns why a peer cannot run here (a missing command or file), or null.
 * A missing command is installed first when the peer names its Debian package (`apt`).
 */
export function unavailable(peer, root) {
  for (const cmd of peer.requires ?? []) {
    if (onPath(cmd)) continue;
    const reason = peer.apt ? aptInstall(cmd, peer.apt) : `${cmd} is not installed`;
    if (reason) return reason;
  }
  for (const file of peer.files ?? []) {
    if (!existsSync(path.resolve(root, file))) return `${file} is missing`;
  }
  return null;
}

/**
 * startPeer starts peer.cmd on CPU `cpu`, waits until it accepts connections, checks one
 * `GET path` against `expect` ({ status, body?: string | Buffer }), over TLS when `tls` and
 * over HTTP/2 when `h2`, and resolves to a handle with stop(). `dir` (the static files) fills
 * `{dir}` in the command. For TLS, the run's certificate is in {scratch}/cert.pem and key.pem.
 */
export async function startPeer(peer, { root, cpu, dir = "", path: urlPath = "/", expect, tls = false, h2 = false, timeoutMs = 15000 }) {
  const assigned = await freePort();
  const scratch = scratchDir(peer.name);
  const ctx = { port: assigned, dir, scratch };
  if (tls) copyCert(ctx);
  await peer.prepare?.(ctx);
  const fill = (arg) => arg.replaceAll("{port}", String(assigned)).replaceAll("{dir}", dir).replaceAll("{scratch}", scratch);
  const stderrFd = openSync(path.join(scratch, "stderr.log"), "w");
  let child;
  try {
    child = start(pinned(cpu, peer.cmd.map(fill)), {
      cwd: root,
      env: { ...process.env, ...peer.env, PORT: String(assigned) },
      stdio: ["ignore", "pipe", stderrFd],
    });
  } finally {
    closeSync(stderrFd);
  }
  let announced = null;
  child.stdout.setEncoding("utf8").on("data", (s) => {
    const m = /^PORT (\d+)\s*$/m.exec(s) ?? /\bhttp:\/\/127\.0\.0\.1:(\d+)\//.exec(s);
    if (m && Number(m[1]) > 0) announced = Number(m[1]);
  });
  let exit = null;
  child.exited.then((result) => (exit = result));
  const handle = {
    child,
    get port() {
      return announced ?? assigned;
    },
    /** exitedEarly describes how the server died (with the end of its logs), or is null while it runs. */
    get exitedEarly() {
      if (!exit) return null;
      const how = exit.error ? exit.error.message : `exited (code ${exit.code}, signal ${exit.signal})`;
      const logs = logTail(scratch);
      return `${peer.name} server ${how}${logs ? `: ${logs}` : ""}`;
    },
    stop: async () => {
      await stop(child);
      removeScratch(scratch);
    },
  };
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await canConnect(handle.port))) {
      if (handle.exitedEarly) throw new Error(handle.exitedEarly);
      if (Date.now() > deadline) throw new Error(`${peer.name} server did not listen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (expect) await check(handle.port, urlPath, expect, peer.name, tls, h2);
    return handle;
  } catch (err) {
    await handle.stop();
    throw err;
  }
}

/** logTail returns the last lines of the *.log files in a scratch dir (stderr, nginx's error log). */
function logTail(scratch) {
  try {
    return readdirSync(scratch)
      .filter((f) => f.endsWith(".log"))
      .map((f) => readFileSync(path.join(scratch, f), "utf8").trim().slice(-1000))
      .filter(Boolean)
      .join(" | ");
  } catch {
    return "";
  }
}

/** check does one GET and throws unless the status (and body, if given) are as expected. */
async function check(port, urlPath, expect, name, tls, h2) {
  let answer;
  try {
    answer = await (h2 ? h2Get(port, urlPath, tls) : get(port, urlPath, tls));
  } catch (err) {
    throw new Error(h2 ? `${name} ${err.message}` : err.message);
  }
  const { status, body } = answer;
  const want = expect.body == null ? null : Buffer.from(expect.body);
  if (status === (expect.status ?? 200) && (want == null || body.equals(want))) return;
  const got = want && body.length !== want.length ? `${body.length} bytes, expected ${want.length}` : JSON.stringify(body.toString("utf8", 0, 80));
  throw new Error(`${name} answered GET ${urlPath} with ${status} ${got}`);
}

function get(port, urlPath, tls) {
  return new Promise((resolve, reject) => {
    const options = { host: HOST, port, path: urlPath, agent: false, timeout: 5000 };
    // The benchmark's own throwaway certificate: nothing to verify it against.
    const req = (tls ? https : http).get(tls ? { ...options, rejectUnauthorized: false } : options, (res) => {
      const chunks = [];
      res.on("data", (b) => chunks.push(b));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
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
