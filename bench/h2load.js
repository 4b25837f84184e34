// h2load.js: the runner of the HTTP/2 cases. wrk speaks only HTTP/1.1, so each round runs h2load
// (Debian's nghttp2-client), pinned to the client CPU, and parses its summary. A peer measured
// over HTTP/1.1 (`protocol: "http/1.1"`) runs under `h2load --h1`, so both sides have one client.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { aptInstall } from "./apt.js";
import { cpuDuring, pinned, start, stop } from "./procs.js";
import { workDir } from "./workdir.js";

/** ensureH2load installs nghttp2-client with apt-get when h2load is missing (as root), or throws saying how to. */
export function ensureH2load() {
  if (h2loadVersion()) return;
  const reason = aptInstall("h2load", "nghttp2-client");
  if (reason) throw new Error(`${reason}; install it (e.g. \`apt-get install nghttp2-client\`) and try again`);
  if (!h2loadVersion()) throw new Error("h2load is still missing after apt-get install nghttp2-client");
}

/** h2loadVersion returns h2load's version (e.g. "1.52.0"), or null when h2load is not found. */
export function h2loadVersion() {
  const r = spawnSync("h2load", ["--version"], { encoding: "utf8" });
  if (r.error) return null;
  return /nghttp2\/(\S+)/.exec(r.stdout + r.stderr)?.[1] ?? "unknown";
}

const timeUnits = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * parseH2load reads h2load's summary: `finished in <time>, <n> req/s, ...`, the `requests:` line
 * (total, started, done, succeeded, failed, errored, timeout), the status codes and the traffic
 * in bytes. transferPerSec is every byte received (frames and headers too) over the run's time.
 * `problems` lists what makes the run suspect: failed requests (a non-2xx/3xx status, or a
 * stream or connection error), no summary, or no request that succeeded.
 */
export function parseH2load(text) {
  const finished = /^finished in ([\d.]+)(us|ms|s|m|h), ([\d.]+) req\/s/m.exec(text);
  const req = /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored(?:, (\d+) timeout)?/m.exec(text);
  const status = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(text);
  const traffic = /^traffic: (?:[\d.]+[KMGT]?B \()?(\d+)\)? (?:bytes )?total/m.exec(text);
  const seconds = finished ? Number(finished[1]) * timeUnits[finished[2]] : null;
  const n = (m, i) => (m ? Number(m[i] ?? 0) : null);
  const requests = { total: n(req, 1), started: n(req, 2), done: n(req, 3), succeeded: n(req, 4), failed: n(req, 5), errored: n(req, 6), timeout: n(req, 7) };
  const statuses = { "2xx": n(status, 1), "3xx": n(status, 2), "4xx": n(status, 3), "5xx": n(status, 4) };
  const bytes = n(traffic, 1);
  const result = {
    reqPerSec: finished ? Number(finished[3]) : null,
    transferPerSec: bytes != null && seconds > 0 ? bytes / seconds : null,
    requests,
    statuses,
    problems: [],
  };
  const why = complaint(text);
  if (!finished || !req) result.problems.push(`no summary in h2load output${why ? ` (${why})` : ""}`);
  else if (requests.succeeded === 0) result.problems.push(`no request succeeded${why ? ` (${why})` : ""}`);
  if (requests.failed > 0) {
    const codes = ["4xx", "5xx"].filter((k) => statuses[k] > 0).map((k) => `${statuses[k]} ${k}`);
    const kinds = [`${requests.errored} errored`, ...(requests.timeout ? [`${requests.timeout} timed out`] : []), ...codes];
    result.problems.push(`${requests.failed} failed requests (${kinds.join(", ")})`);
  }
  if (result.problems.length && requests.succeeded === 0) result.reqPerSec = result.transferPerSec = null;
  return result;
}

/**
 * complaint is h2load's last line before its summary that is not progress ("starting
 * benchmark...", "progress: 10% done", the TLS handshake's description): what it said went wrong,
 * such as "No protocol negotiated. Aborted", to explain a failed round. Empty if nothing.
 */
function complaint(text) {
  const before = text.split(/^finished in /m)[0];
  const progress = /^(starting benchmark|spawning thread|progress:|warm-up|main benchmark|stopped all clients|tls protocol|cipher|server temp key|application protocol)/i;
  const lines = before.split("\n").map((l) => l.trim()).filter((l) => l && !progress.test(l));
  return lines.at(-1)?.slice(0, 200) ?? "";
}

/** h2loadArgs is a case's h2load command line, without the URIs: its args, -D, and --h1 for an HTTP/1.1 peer. */
const h2loadArgs = (c, duration, protocol) => ["h2load", ...c.h2load, "-D", String(duration), ...(protocol === "http/1.1" ? ["--h1"] : [])];

/**
 * uriArgs are the URIs of one round: the case's `path` on the command line, or, for a case with
 * `paths`, `-i FILE` with one URI a line (written into the run's temp dir for this port).
 */
function uriArgs(c, port) {
  const base = `${c.scheme ?? "http"}://127.0.0.1:${port}`;
  if (!c.paths) return [`${base}${c.path ?? "/"}`];
  const file = path.join(workDir(), `uris-${c.name}-${port}.txt`);
  writeFileSync(file, c.paths.map((p) => `${base}${p}\n`).join(""));
  return ["-i", file];
}

/** runH2load runs h2load once on CPU `cpu` and resolves to parseH2load's result plus its raw output. */
async function runH2load(argv, cpu, limitMs) {
  const child = start(pinned(cpu, argv));
  let out = "";
  child.stderr.setEncoding("utf8").on("data", (s) => (out += s));
  child.stdout.setEncoding("utf8").on("data", (s) => (out += s));
  const timer = setTimeout(() => void stop(child), limitMs);
  const { code, signal, error } = await child.exited;
  clearTimeout(timer);
  if (error) throw new Error(`cannot run h2load: ${error.message}`);
  const result = parseH2load(out);
  if (code !== 0) result.problems.push(`h2load exited with ${signal ? `signal ${signal}` : `code ${code}`}`);
  return { ...result, raw: out };
}

export const h2loadRunner = {
  name: "h2load",
  ensure: ensureH2load,
  version: h2loadVersion,

  /** command shows the case's h2load command line with the port left open, as the table's header. */
  command(c, duration) {
    const uris = c.paths
      ? ["-i", `<${c.paths.length} URIs: ${c.scheme ?? "http"}://127.0.0.1:<port>${c.paths[0]} … ${c.paths.at(-1)}>`]
      : [`${c.scheme ?? "http"}://127.0.0.1:<port>${c.path ?? "/"}`];
    const h1 = c.peers.filter((p) => p.protocol === "http/1.1").map((p) => p.name);
    return [...h2loadArgs(c, duration), ...uris].join(" ") + (h1.length ? ` (${h1.join(", ")}: with --h1)` : "");
  },

  /**
   * measure runs h2load's warm-up, then the measured run, against the server on `port`, and
   * resolves to { reqPerSec, transferPerSec, serverCpu, clientCpu, problems, notes, raw }: the
   * server's CPU from /proc/PID/stat, h2load's from this process's reaped children, as for wrk.
   */
  async measure({ c, peer, port, serverPid, duration, warmup, cpu }) {
    const argv = (seconds) => [...h2loadArgs(c, seconds, peer?.protocol), ...uriArgs(c, port)];
    const limitMs = (seconds) => (seconds + 60) * 1000;
    if (warmup > 0) {
      const w = await runH2load(argv(warmup), cpu, limitMs(warmup));
      if (w.reqPerSec == null) return { ...w, problems: w.problems.map((p) => `warm-up: ${p}`), notes: [] };
    }
    const { value, serverCpu, clientCpu } = await cpuDuring(serverPid, () => runH2load(argv(duration), cpu, limitMs(duration)));
    return { ...value, serverCpu, clientCpu, notes: [] };
  },
};
