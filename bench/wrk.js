// wrk.js: find (or install) wrk, run it pinned to a CPU, and parse its report.
import { spawnSync } from "node:child_process";
import { aptInstall } from "./apt.js";
import { pinned, start } from "./procs.js";

/** ensureWrk installs wrk with apt-get when it is missing (as root), or throws saying how to. */
export function ensureWrk() {
  if (wrkVersion()) return;
  const reason = aptInstall("wrk", "wrk");
  if (reason) throw new Error(`${reason}; install it (e.g. \`apt-get install wrk\`) and try again`);
  if (!wrkVersion()) throw new Error("wrk is still missing after apt-get install");
}

/** wrkVersion returns wrk's version (e.g. "4.1.0-3+b2"), or null when wrk is not found. */
export function wrkVersion() {
  const r = spawnSync("wrk", ["-v"], { encoding: "utf8" });
  if (r.error) return null;
  const m = /^wrk (\S+)/m.exec(r.stdout + r.stderr);
  return m ? m[1].replace(/^debian\//, "") : "unknown";
}

/**
 * runWrk runs `wrk <args> -d<duration>s [-s script] <url> [-- scriptArgs]` on CPU `cpu`
 * and resolves to parseWrk's result plus the command, exit code and raw output.
 */
export async function runWrk({ args, script, scriptArgs = [], url, duration, cpu }) {
  const argv = ["wrk", ...args, `-d${duration}s`, ...(script ? ["-s", script] : []), url];
  if (scriptArgs.length) argv.push("--", ...scriptArgs);
  const child = start(pinned(cpu, argv));
  let out = "";
  child.stderr.setEncoding("utf8").on("data", (s) => (out += s));
  for await (const s of child.stdout.setEncoding("utf8")) out += s;
  const { code, error } = await child.exited;
  if (error) throw new Error(`cannot run wrk: ${error.message}`);
  const result = parseWrk(out);
  if (code !== 0) result.problems.push(`wrk exited with code ${code}`);
  return { command: argv.join(" "), exitCode: code, ...result, raw: out };
}

// wrk prints Transfer/sec with binary prefixes: "812.34KB", "1.17GB".
const binaryUnits = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };
const timeUnits = { us: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/**
 * parseWrk reads wrk's text report: requests/sec, transfer/sec (bytes), requests,
 * mean latency (ms), socket errors and non-2xx/3xx responses. `problems` lists what makes
 * the run suspect (no Requests/sec line, non-2xx/3xx responses); `socketErrors` describes the
 * socket errors, which the caller counts as problems or, for a peer that is expected to have
 * them, as notes.
 */
export function parseWrk(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const transfer = /^Transfer\/sec:\s*([\d.]+)([KMGTP]?)B/m.exec(text);
  const latency = /^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\b/m.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = {
    connect: sock ? Number(sock[1]) : 0,
    read: sock ? Number(sock[2]) : 0,
    write: sock ? Number(sock[3]) : 0,
    timeout: sock ? Number(sock[4]) : 0,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) ?? 0,
  };
  const result = {
    reqPerSec: num(/^Requests\/sec:\s*([\d.]+)/m),
    transferPerSec: transfer ? Number(transfer[1]) * binaryUnits[transfer[2]] : null,
    requests: num(/(\d+) requests in /),
    latencyAvgMs: latency ? Number(latency[1]) * timeUnits[latency[2]] : null,
    errors,
    problems: [],
    socketErrors: [],
  };
  if (result.reqPerSec == null) result.problems.push("no Requests/sec in wrk output");
  for (const [kind, n] of Object.entries(errors)) {
    if (n === 0) continue;
    if (kind === "non2xx") result.problems.push(`${n} non-2xx/3xx responses`);
    else result.socketErrors.push(`${n} ${kind} errors`);
  }
  return result;
}
