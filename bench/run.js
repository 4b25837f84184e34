// run.js: `npm run bench`. Runs each case's peers under wrk, alternating peers round by round,
// and prints a markdown table of medians and ratios (also written to bench/results.{md,json}).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cases } from "./cases.js";
import { startPeer, unavailable } from "./peers.js";
import { canPin, stopAll } from "./procs.js";
import { machineInfo, markdown, wrkCommand, writeResults } from "./report.js";
import { summarize } from "./stats.js";
import { ensureWrk, runWrk, wrkVersion } from "./wrk.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");

const usage = `Usage: node bench/run.js [options]     (or: npm run bench -- [options])
  --rounds N     rounds per case; each round runs every peer once (env BENCH_ROUNDS, default 5)
  --duration S   seconds of wrk per peer and round (env BENCH_DURATION, default 5)
  --warmup S     seconds of discarded wrk after each server start (env BENCH_WARMUP, default 1)
  --case NAME    run only this case; repeat or comma-separate (env BENCH_CASE, default all)
  --stand-in     run node:http in place of every peer, to check the harness (results not written)
  --list         list the cases and exit`;

function options() {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      case: { type: "string", multiple: true },
      "stand-in": { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const int = (name, fallback, min) => {
    const text = values[name] ?? process.env[`BENCH_${name.toUpperCase()}`] ?? String(fallback);
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, not ${text}`);
    return n;
  };
  const names = (values.case ?? [process.env.BENCH_CASE ?? ""]).flatMap((s) => s.split(",")).filter(Boolean);
  for (const name of names) {
    if (!cases.some((c) => c.name === name)) {
      throw new Error(`unknown case ${name}; cases: ${cases.map((c) => c.name).join(", ")}`);
    }
  }
  return {
    rounds: int("rounds", 5, 1),
    duration: int("duration", 5, 1),
    warmup: int("warmup", 1, 0),
    cases: names.length ? cases.filter((c) => names.includes(c.name)) : cases,
    standIn: values["stand-in"],
    list: values.list,
    help: values.help,
  };
}

const log = (msg) => console.error(msg);

/** runRound starts one peer's server, warms it up, measures it once, and stops it. */
async function runRound(c, peer, round, opts, cpus) {
  let server;
  const wrkRun = (duration) =>
    runWrk({
      args: c.wrk,
      script: c.script && path.resolve(root, c.script),
      scriptArgs: c.scriptArgs,
      url: `http://127.0.0.1:${server.port}${c.path ?? "/"}`,
      duration,
      cpu: cpus.wrk,
    });
  try {
    server = await startPeer(peer, { root, cpu: cpus.server, path: c.path, expect: c.expect });
    if (opts.warmup > 0) await wrkRun(opts.warmup);
    const { raw, ...result } = await wrkRun(opts.duration);
    if (server.exitedEarly) result.problems.push(server.exitedEarly);
    return { round, ...result, raw };
  } catch (err) {
    return { round, reqPerSec: null, transferPerSec: null, problems: [err.message] };
  } finally {
    await server?.stop();
  }
}

/** runCase runs rounds × peers (A B A B ...) and summarizes each peer. */
async function runCase(c, opts, cpus) {
  const skipped = [];
  const peers = [];
  for (const p of c.peers) {
    const peer = opts.standIn ? { name: p.name, cmd: [process.execPath, "bench/servers/node-http-hello.js"] } : p;
    const reason = unavailable(peer, root);
    if (reason) {
      skipped.push({ peer: p.name, reason });
      log(`[${c.name}] skipping ${p.name}: ${reason}`);
    } else peers.push({ peer, rounds: [] });
  }
  for (let round = 1; round <= opts.rounds; round++) {
    for (const p of peers) {
      const r = await runRound(c, p.peer, round, opts, cpus);
      p.rounds.push(r);
      const rate = r.reqPerSec == null ? "failed" : `${Math.round(r.reqPerSec).toLocaleString("en-US")} req/s`;
      log(`[${c.name}] round ${round}/${opts.rounds} ${p.peer.name}: ${rate}${r.problems.length ? ` ⚠ ${r.problems.join("; ")}` : ""}`);
    }
  }
  const summaries = peers.map(({ peer, rounds }) => {
    const ok = rounds.filter((r) => r.reqPerSec != null);
    return {
      name: peer.name,
      cmd: peer.cmd,
      reqPerSec: ok.length ? summarize(ok.map((r) => r.reqPerSec)) : null,
      transferPerSec: ok.length ? summarize(ok.map((r) => r.transferPerSec ?? 0)) : null,
      flagged: rounds.some((r) => r.problems.length > 0),
      rounds,
    };
  });
  const base = summaries.find((s) => s.name === c.baseline)?.reqPerSec?.median;
  for (const s of summaries) s.ratio = base && s.reqPerSec ? s.reqPerSec.median / base : null;
  return {
    name: c.name,
    title: c.title,
    command: wrkCommand(c, opts.duration),
    baseline: c.baseline,
    targets: c.targets ?? {},
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
  ensureWrk();
  const pin = canPin();
  const cpus = pin.ok ? { server: 1, wrk: 0 } : { server: null, wrk: null };
  if (!pin.ok) log(`WARNING: ${pin.reason}; running server and wrk unpinned (numbers are noisier)`);
  const run = {
    date: new Date().toISOString(),
    machine: { ...machineInfo(), wrk: wrkVersion() },
    pinning: pin.ok ? "server on CPU 1, wrk on CPU 0 (taskset)" : `none (${pin.reason})`,
    config: { rounds: opts.rounds, duration: opts.duration, warmup: opts.warmup },
    standIn: opts.standIn,
    cases: [],
  };
  for (const c of opts.cases) run.cases.push(await runCase(c, opts, cpus));
  const md = markdown(run);
  console.log(md);
  if (opts.standIn) log("stand-in run: bench/results.{json,md} not written");
  else writeResults(here, run, md);
  if (run.cases.some((c) => c.peers.some((p) => p.flagged))) log("WARNING: some rounds had errors (marked ⚠)");
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  process.on(signal, async () => {
    log(`\n${signal}: stopping the processes this run started`);
    await stopAll();
    process.exit(code);
  });
}

main().catch(async (err) => {
  console.error(`bench: ${err.message}`);
  await stopAll();
  process.exit(1);
});
