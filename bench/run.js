// run.js: `npm run bench`. Runs each case's peers under wrk (or the case's own runner, such as the
// WebSocket load client or h2load), alternating peers round by round, and prints a markdown table of medians
// and ratios (also written to bench/results.{md,json}).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cases, ratioColumns } from "./cases.js";
import { startPeer, unavailable } from "./peers.js";
import { canPin, cpuDuring, stopAll } from "./procs.js";
import { formatMetric, machineInfo, markdown, wrkCommand, writeResults } from "./report.js";
import { summarize } from "./stats.js";
import { removeWorkDir, staticFiles } from "./workdir.js";
import { ensureWrk, runWrk, wrkVersion } from "./wrk.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");

const usage = `Usage: node bench/run.js [options]     (or: npm run bench -- [options])
  --rounds N     rounds per case; each round runs every peer once (env BENCH_ROUNDS, default 5)
  --duration S   seconds of wrk (or load client) per peer and round (env BENCH_DURATION;
                 default 5, and 10 for the WebSocket cases)
  --warmup S     seconds of discarded load after each server start (env BENCH_WARMUP, default 1)
  --case NAME    run only this case; repeat or comma-separate (env BENCH_CASE, default all)
  --stand-in     run each case's stand-in (node:http; the ws server for the WebSocket cases;
                 node:http2 for the HTTP/2 cases) in place of every peer, to check the harness
                 (results not written)
  --stand-in-for PEER   run the stand-in in place of this peer only; repeat or comma-separate
                 (e.g. sockserve, before its CLI is built; results not written)
  --no-write     print the tables only; leave bench/results.{json,md} as they are (for trials)
  --list         list the cases and exit`;

function options() {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      case: { type: "string", multiple: true },
      "stand-in": { type: "boolean", default: false },
      "stand-in-for": { type: "string", multiple: true },
      "no-write": { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const int = (name, fallback, min) => {
    const text = values[name] ?? process.env[`BENCH_${name.toUpperCase()}`] ?? (fallback == null ? null : String(fallback));
    if (text == null) return null;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, not ${text}`);
    return n;
  };
  const list = (v) => (v ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  const names = list(values.case ?? [process.env.BENCH_CASE ?? ""]);
  for (const name of names) {
    if (!cases.some((c) => c.name === name)) {
      throw new Error(`unknown case ${name}; cases: ${cases.map((c) => c.name).join(", ")}`);
    }
  }
  const standInFor = list(values["stand-in-for"]);
  const peerNames = new Set(cases.flatMap((c) => c.peers.map((p) => p.name)));
  for (const name of standInFor) {
    if (!peerNames.has(name)) throw new Error(`unknown peer ${name}; peers: ${[...peerNames].join(", ")}`);
  }
  return {
    rounds: int("rounds", 5, 1),
    duration: int("duration", null, 1), // null: each case's own default (caseDuration)
    warmup: int("warmup", 1, 0),
    cases: names.length ? cases.filter((c) => names.includes(c.name)) : cases,
    standIn: values["stand-in"] ? "all" : standInFor.length ? standInFor : null,
    write: !values["no-write"],
    list: values.list,
    help: values.help,
  };
}

const log = (msg) => console.error(msg);

/** caseDuration is the seconds per round: --duration (or BENCH_DURATION), else the case's own, else 5. */
const caseDuration = (c, opts) => opts.duration ?? c.duration ?? 5;

/**
 * measureWrk runs wrk's warm-up, then the measured run, against a started server. It also
 * measures the CPU the server and wrk used during the measured run (1 = one core busy): the
 * server's from /proc/PID/stat, wrk's from this process's reaped children (wrk is the only child
 * that exits meanwhile), so a client that was the limit shows in the note under the table.
 */
async function measureWrk(c, server, peer, opts, cpus) {
  const wrkRun = (duration) =>
    runWrk({
      args: c.wrk,
      script: c.script && path.resolve(root, c.script),
      scriptArgs: c.scriptArgs,
      url: `${c.scheme ?? "http"}://127.0.0.1:${server.port}${c.path ?? "/"}`,
      duration,
      cpu: cpus.wrk,
    });
  if (opts.warmup > 0) await wrkRun(opts.warmup);
  const { value, serverCpu, clientCpu } = await cpuDuring(server.child.pid, () => wrkRun(caseDuration(c, opts)));
  const { raw, socketErrors, ...result } = value;
  Object.assign(result, { serverCpu, clientCpu });
  const notes = [];
  if (socketErrors.length) (peer.expectSocketErrors ? notes : result.problems).push(socketErrors.join(", "));
  return { ...result, notes, raw };
}

/** runRound starts one peer's server, warms it up, measures it once, and stops it. */
async function runRound(c, peer, round, opts, cpus, files) {
  let server;
  try {
    const expect = c.expect?.file ? { status: c.expect.status, body: files.bytes[c.expect.file] } : c.expect;
    const h2 = (peer.protocol ?? c.protocol) === "h2";
    server = await startPeer(peer, { root, cpu: cpus.server, dir: files?.dir, path: c.path, expect, tls: c.scheme === "https", h2 });
    const result = c.runner
      ? await c.runner.measure({ c, peer, port: server.port, serverPid: server.child.pid, duration: caseDuration(c, opts), warmup: opts.warmup, cpu: cpus.wrk })
      : await measureWrk(c, server, peer, opts, cpus);
    if (server.exitedEarly) result.problems.push(server.exitedEarly);
    return { round, ...result };
  } catch (err) {
    return { round, ...Object.fromEntries(c.metrics.map((m) => [m.key, null])), problems: [err.message], notes: [] };
  } finally {
    await server?.stop();
  }
}

const metricOf = (c, summary, name) => summary?.[c.metrics.find((m) => m.name === name).key]?.median;

/** peerVersion runs a peer's `version` command and returns its first line, or null. */
const versions = {};
function peerVersion(peer) {
  if (!peer.version || peer.name in versions) return;
  const r = spawnSync(peer.version[0], peer.version.slice(1), { encoding: "utf8" });
  const line = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0];
  if (!r.error && line) versions[peer.name] = line;
}

/** runCase runs rounds × peers (A B A B ...) and summarizes each peer, its ratios and the targets. */
async function runCase(c, opts, cpus) {
  const skipped = [];
  const peers = [];
  for (const p of c.peers) {
    const standIn = opts.standIn === "all" || opts.standIn?.includes(p.name);
    const label = p.standInAs?.label ?? c.standInLabel ?? "node:http";
    const cmd = p.standInAs?.cmd ?? c.standIn;
    const peer = standIn ? { name: p.name, cmd, protocol: p.protocol, standIn: true, standInLabel: label } : p;
    const reason = unavailable(peer, root);
    if (reason) {
      skipped.push({ peer: p.name, reason });
      log(`[${c.name}] skipping ${p.name}: ${reason}`);
    } else {
      peers.push({ peer, rounds: [] });
      peerVersion(peer);
    }
  }
  const files = c.files ? staticFiles(c.files) : null;
  for (let round = 1; round <= opts.rounds; round++) {
    for (const p of peers) {
      const r = await runRound(c, p.peer, round, opts, cpus, files);
      p.rounds.push(r);
      const rate = r[c.metrics[0].key] == null ? "failed" : c.metrics.map((m) => formatMetric(m, r[m.key], true)).join(", ");
      const notes = [...r.problems.map((m) => ` ⚠ ${m}`), ...r.notes.map((m) => ` (${m})`)].join(";");
      log(`[${c.name}] round ${round}/${opts.rounds} ${p.peer.name}${p.peer.standIn ? " (stand-in)" : ""}: ${rate}${notes}`);
    }
  }
  const summaries = peers.map(({ peer, rounds }) => {
    const ok = rounds.filter((r) => r[c.metrics[0].key] != null);
    const metrics = Object.fromEntries(c.metrics.map(({ key }) => [key, ok.length ? summarize(ok.map((r) => r[key] ?? 0)) : null]));
    return {
      name: peer.name,
      cmd: peer.cmd,
      standIn: Boolean(peer.standIn),
      standInLabel: peer.standInLabel ?? null,
      expectSocketErrors: peer.expectSocketErrors ?? null,
      ...metrics,
      flagged: rounds.some((r) => r.problems.length > 0),
      rounds,
    };
  });
  const columns = ratioColumns(c);
  for (const s of summaries) {
    s.ratios = columns.map(({ vs, metric }) => {
      const base = metricOf(c, summaries.find((b) => b.name === vs), metric);
      const value = metricOf(c, s, metric);
      return { vs, metric, ratio: base && value != null ? value / base : null };
    });
  }
  const targets = (c.targets ?? []).map(({ peer = "sockserve", vs, metric, min }) => {
    const ratio = summaries.find((s) => s.name === peer)?.ratios.find((r) => r.vs === vs && r.metric === metric)?.ratio ?? null;
    return { peer, vs, metric, min, ratio, met: ratio == null ? null : ratio >= min };
  });
  return {
    name: c.name,
    title: c.title,
    command: c.runner ? c.runner.command(c, caseDuration(c, opts), opts.warmup) : wrkCommand(c, caseDuration(c, opts)),
    duration: caseDuration(c, opts),
    files: c.files ?? null,
    metrics: c.metrics,
    columns,
    targets,
    skipped,
    peers: summaries,
  };
}

async function main() {
  const opts = options();
  if (opts.help || opts.list) {
    console.log(opts.help ? usage : cases.map((c) => `${c.name}\t${c.title}`).join("\n"));
    return;
  }
  if (opts.cases.some((c) => !c.runner)) ensureWrk();
  const runners = new Set(opts.cases.map((c) => c.runner).filter(Boolean));
  for (const runner of runners) runner.ensure?.();
  const clientVersions = Object.fromEntries([...runners].filter((r) => r.version).map((r) => [r.name, r.version()]));
  const pin = canPin();
  const cpus = pin.ok ? { server: 1, wrk: 0 } : { server: null, wrk: null };
  if (!pin.ok) log(`WARNING: ${pin.reason}; running server and client unpinned (numbers are noisier)`);
  const durations = [...new Set(opts.cases.map((c) => caseDuration(c, opts)))];
  const clients = [...new Set(opts.cases.map((c) => c.runner?.name ?? "wrk"))].join(" and ");
  const run = {
    date: new Date().toISOString(),
    machine: { ...machineInfo(), wrk: wrkVersion(), ...clientVersions, peers: versions },
    pinning: pin.ok ? `server on CPU 1, ${clients} on CPU 0 (taskset)` : `none (${pin.reason})`,
    config: { rounds: opts.rounds, duration: durations.length === 1 ? durations[0] : durations, warmup: opts.warmup },
    standIn: opts.standIn,
    cases: [],
  };
  try {
    for (const c of opts.cases) run.cases.push(await runCase(c, opts, cpus));
  } finally {
    removeWorkDir();
  }
  const md = markdown(run);
  console.log(md);
  if (opts.standIn) log("stand-in run: bench/results.{json,md} not written");
  else if (!opts.write) log("--no-write: bench/results.{json,md} not written");
  else writeResults(here, run, md);
  if (run.cases.some((c) => c.peers.some((p) => p.flagged))) log("WARNING: some rounds had errors (marked ⚠)");
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  process.on(signal, async () => {
    log(`\n${signal}: stopping the processes this run started`);
    await stopAll();
    removeWorkDir();
    process.exit(code);
  });
}

main().catch(async (err) => {
  console.error(`bench: ${err.message}`);
  await stopAll();
  removeWorkDir();
  process.exit(1);
});
