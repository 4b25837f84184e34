// report.js: the machine description, the markdown tables, and bench/results.{json,md}.
import { readFileSync, writeFileSync } from "node:fs";
import { renderChart } from "./chart.js";
import os from "node:os";
import path from "node:path";
import { median } from "./stats.js";

/** machineInfo names the CPU (from /proc/cpuinfo), the core count and the Node version. */
export function machineInfo() {
  let cpuinfo = "";
  try {
    cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    // not Linux: fall back to os.cpus() below
  }
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim();
  const cores = cpuinfo.match(/^processor\s*:/gm)?.length;
  return {
    cpu: model ?? os.cpus()[0]?.model ?? "unknown",
    cores: cores ?? os.cpus().length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** wrkCommand shows a case's wrk command line with the port left open. */
export function wrkCommand(c, duration) {
  const parts = ["wrk", ...c.wrk, `-d${duration}s`];
  if (c.script) parts.push("-s", c.script);
  parts.push(`${c.scheme ?? "http"}://127.0.0.1:<port>${c.path ?? "/"}`);
  if (c.scriptArgs?.length) parts.push("--", ...c.scriptArgs);
  return parts.join(" ");
}

const int = (n) => (n == null ? "–" : Math.round(n).toLocaleString("en-US"));

/** formatBytes shows a transfer rate in MiB/s, or GiB/s from 1 GiB/s up. */
export function formatBytes(n) {
  if (n == null) return "–";
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB/s` : `${(n / 1024 ** 2).toFixed(2)} MiB/s`;
}

/**
 * formatMetric shows one value of a case's metric ({ name, format }): "int" as a whole number,
 * "bytes" as a rate in MiB/s or GiB/s, "ms" with two decimals. withName appends the metric's
 * name to numbers (for the progress lines: "33,709 req/s").
 */
export function formatMetric(metric, n, withName = false) {
  if (metric.format === "bytes") return formatBytes(n);
  const text = metric.format === "ms" ? (n == null ? "–" : n.toFixed(2)) : int(n);
  return withName && n != null ? `${text} ${metric.name}` : text;
}

/** markdown renders the whole run: a header with the machine, then one table per case. */
export function markdown(run) {
  const m = run.machine;
  const { rounds, duration, warmup } = run.config;
  const lines = [
    "# sockserve benchmarks",
    "",
    `- Date: ${run.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.os}`,
    `- Node ${m.node}${m.wrk ? `, wrk ${m.wrk}` : ""}${m.h2load ? `, h2load ${m.h2load}` : ""}`,
    ...(Object.keys(m.peers ?? {}).length ? [`- Peers: ${Object.entries(m.peers).map(([name, v]) => `${name}: ${v}`).join("; ")}`] : []),
    `- Pinning: ${run.pinning}`,
    `- ${rounds} round${rounds === 1 ? "" : "s"} × ${Array.isArray(duration) ? `${duration.join(" or ")} s (each case's command shows its own)` : `${duration} s`} per peer, peers alternating each round; ${warmup} s warm-up per server start`,
  ];
  if (run.standIn === "all") lines.push("- **Stand-in run**: every peer was its case's stand-in (node:http, node:http2 or ws; a check of the harness, not a result)");
  else if (run.standIn) lines.push(`- **Stand-in run**: the case's stand-in (node:http, node:http2 or ws) in place of ${run.standIn.join(", ")} (a check of the harness, not a result)`);
  for (const c of run.cases) lines.push("", ...caseMarkdown(c));
  return lines.join("\n") + "\n";
}

function caseMarkdown(c) {
  const lines = [`## ${c.name}: ${c.title}`, "", `\`${c.command}\``, ""];
  if (c.error) return [...lines, `**Failed:** ${c.error}`];
  const cols = c.columns ?? [];
  const metrics = c.metrics;
  lines.push(
    `| peer |${metrics.map((m) => ` median ${m.name} | min | max |`).join("")}${cols.map((r) => ` ${r.metric} vs ${r.vs} |`).join("")}`,
    `| --- |${" ---: |".repeat(3 * metrics.length + cols.length)}`,
  );
  for (const p of c.peers) {
    const name = `${p.name}${p.standIn ? ` (${p.standInLabel ?? "node:http"} stand-in)` : ""}${p.flagged ? " ⚠" : ""}`;
    const ratios = p.ratios.map((r) => ` ${r.ratio == null ? "–" : `${r.ratio.toFixed(2)}x`} |`).join("");
    const values = metrics.map((m) => {
      const s = p[m.key] ?? {};
      return ` ${formatMetric(m, s.median)} | ${formatMetric(m, s.min)} | ${formatMetric(m, s.max)} |`;
    });
    lines.push(`| ${name} |${values.join("")}${ratios}`);
  }
  const notes = [];
  for (const t of c.targets ?? []) {
    const verdict = t.ratio == null ? "not measured" : t.met ? `met (${t.ratio.toFixed(2)}x)` : `**not met** (${t.ratio.toFixed(2)}x)`;
    notes.push(`Target: ${t.peer} ≥ ${t.min}x ${t.vs} in ${t.metric}: ${verdict}.`);
  }
  for (const s of c.skipped) notes.push(`Skipped ${s.peer}: ${s.reason}.`);
  const cpu = cpuNote(c);
  if (cpu) notes.push(cpu);
  for (const p of c.peers) {
    for (const r of p.rounds) {
      if (r.problems.length) notes.push(`⚠ ${p.name}, round ${r.round}: ${r.problems.join("; ")}.`);
    }
    const noted = p.rounds.filter((r) => r.notes?.length);
    if (noted.length) {
      const each = noted.map((r) => `round ${r.round}: ${r.notes.join("; ")}`).join("; ");
      notes.push(`Note: ${p.name} had socket errors in wrk (${each}); expected, as ${p.expectSocketErrors}. Its numbers stand.`);
    }
  }
  return notes.length ? [...lines, "", ...notes.map((n) => `- ${n}`)] : lines;
}

/**
 * cpuNote tells, for a runner that reports CPU use (the WebSocket load client), how busy the
 * server and the client were while measuring (medians over rounds; 100% is one core). A client
 * near 100% was the limit, and the ratio then says less about the servers than their CPU does:
 * with the first metric's `per` (e.g. "round trip"), the note also gives the server's CPU time
 * per unit of that metric (server CPU / rate).
 */
function cpuNote(c) {
  const first = c.metrics[0];
  const pct = (xs) => (xs.length ? `${Math.round(median(xs) * 100)}%` : "–");
  const parts = [];
  for (const p of c.peers) {
    const ok = p.rounds.filter((r) => r.clientCpu != null);
    if (!ok.length) continue;
    const server = ok.filter((r) => r.serverCpu != null && r[first.key] > 0);
    const per = first.per && server.length ? ` (${median(server.map((r) => (r.serverCpu / r[first.key]) * 1e6)).toFixed(1)} µs per ${first.per})` : "";
    parts.push(`${p.name}: server ${pct(server.map((r) => r.serverCpu))}${per}, client ${pct(ok.map((r) => r.clientCpu))}`);
  }
  return parts.length ? `CPU while measuring (median over rounds; 100% = one core): ${parts.join("; ")}.` : null;
}

/** writeResults writes results.json (every round, with wrk's raw output), results.md and chart.svg to dir. */
export function writeResults(dir, run, md) {
  writeFileSync(path.join(dir, "results.json"), JSON.stringify(run, null, 2) + "\n");
  writeFileSync(path.join(dir, "results.md"), md);
  writeFileSync(path.join(dir, "chart.svg"), renderChart(run));
}
