// ws.js: the runner of the WebSocket cases. wrk cannot speak WebSocket, so each round runs
// ws-load.js (a Node client on the `ws` package), pinned to the client CPU, against the server.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pinned, start, stop } from "./procs.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** loadArgs is the load client's command line of a case and peer (without the port and server PID). */
function loadArgs(c, duration, warmup, peer) {
  return [...(c.load.mode ? [c.load.mode] : []), ...c.load.args, ...(peer?.loadArgs ?? []), "--duration", String(duration), "--warmup", String(warmup)];
}

/** script is the load client a case runs: ws-load.js unless the case names another (pubsub-load.js). */
const script = (c) => c.load.script ?? "ws-load.js";

export const wsRunner = {
  name: "ws-load",

  /** command shows the client's command line with the port left open, as the table's header. */
  command(c, duration, warmup) {
    return ["node", `bench/${script(c)}`, ...loadArgs(c, duration, warmup), "--port", "<port>"].join(" ");
  },

  /**
   * measure runs one round of ws-load.js (its warm-up, then `duration` seconds) against the
   * server on `port` and resolves to { <metric keys>, clientCpu, serverCpu, problems, notes, raw }.
   * The client ends by itself; if it is still running well past its time it is stopped by PID.
   */
  async measure({ c, peer, port, serverPid, duration, warmup, cpu }) {
    const argv = [process.execPath, path.join(here, script(c)), ...loadArgs(c, duration, warmup, peer), "--port", String(port)];
    if (serverPid) argv.push("--server-pid", String(serverPid));
    const child = start(pinned(cpu, argv));
    let out = "";
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (s) => (err += s));
    child.stdout.setEncoding("utf8").on("data", (s) => (out += s));
    const limitMs = (warmup + duration + 90) * 1000;
    const timer = setTimeout(() => void stop(child), limitMs);
    const { code, signal, error } = await child.exited;
    clearTimeout(timer);
    if (error) throw new Error(`cannot run ${script(c)}: ${error.message}`);
    const raw = `${out}${err}`;
    const empty = Object.fromEntries(c.metrics.map((m) => [m.key, null]));
    if (code !== 0) {
      const why = err.trim().split("\n").pop() || `exited with code ${code}, signal ${signal}`;
      return { ...empty, problems: [why.replace(/^(ws|pubsub)-load: /, "$1-load.js: ")], notes: [], raw };
    }
    let result;
    try {
      result = JSON.parse(out.trim().split("\n").pop());
    } catch {
      return { ...empty, problems: [`${script(c)} printed no result`], notes: [], raw };
    }
    const { errors = [], ...numbers } = result;
    return { ...numbers, problems: errors, notes: [], raw };
  },
};
