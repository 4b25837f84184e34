// report.js: the machine description, the markdown tables, and bench/results.{json,md}.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

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
  parts.push(`http://127.0.0.1:<port>${c.path ?? "/"}`);
  if (c.scriptArgs?.length) parts.push("--", ...c.scriptArgs);
  return parts.join(" ");
}

const int = (n) => (n == null ? "–" : Math.round(n).toLocaleString("en-US"));

/** formatBytes shows a transfer rate in MiB/s, or GiB/s from 1 GiB/s up. */
export function formatBytes(n) {
  if (n == null) return "–";
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB/s` : `${(n / 1024 ** 2).toFixed(2)} MiB/s`;
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
    `- Node ${m.node}, wrk ${m.wrk}`,
    ...(Object.keys(m.peers ?? {}).length ? [`- Peers: ${Object.entries(m.peers).map(([name, v]) => `${name}: ${v}`).join("; ")}`] : []),
    `- Pinning: ${run.pinning}`,
    `- ${rounds} round${rounds === 1 ? "" : "s"} × ${duration} s per peer, peers alternating each round; ${warmup} s warm-up per server start`,
  ];
  if (run.standIn === "all") lines.push("- **Stand-in run**: every peer was node:http (a check of the harness, not a result)");
  else if (run.standIn) lines.push(`- **Stand-in run**: node:http in place of ${run.standIn.join(", ")} (a check of the harness, not a result)`);
  for (const c of run.cases) lines.push("", ...caseMarkdown(c));
  return lines.join("\n") + "\n";
}

function caseMarkdown(c) {
  const lines = [`## ${c.name}: ${c.title}`, "", `\`${c.command}\``, ""];
  if (c.error) return [...lines, `**Failed:** ${c.error}`];
  const cols = c.columns ?? [];
  lines.push(
    `| peer | median req/s | min | max | median transfer/s | min | max |${cols.map((r) => ` ${r.metric} vs ${r.vs} |`).join("")}`,
    `| --- |${" ---: |".repeat(6 + cols.length)}`,
  );
  for (const p of c.peers) {
    const name = `${p.name}${p.standIn ? " (node:http stand-in)" : ""}${p.flagged ? " ⚠" : ""}`;
    const ratios = p.ratios.map((r) => ` ${r.ratio == null ? "–" : `${r.ratio.toFixed(2)}x`} |`).join("");
    const rps = p.reqPerSec ?? {};
    const bps = p.transferPerSec ?? {};
    lines.push(`| ${name} | ${int(rps.median)} | ${int(rps.min)} | ${int(rps.max)} | ${formatBytes(bps.median)} | ${formatBytes(bps.min)} | ${formatBytes(bps.max)} |${ratios}`);
  }
  const notes = [];
  for (const t of c.targets ?? []) {
    const verdict = t.ratio == null ? "not measured" : t.met ? `met (${t.ratio.toFixed(2)}x)` : `**not met** (${t.ratio.toFixed(2)}x)`;
    notes.push(`Target: ${t.peer} ≥ ${t.min}x ${t.vs} in ${t.metric}: ${verdict}.`);
  }
  for (const s of c.skipped) notes.push(`Skipped ${s.peer}: ${s.reason}.`);
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

/** writeResults writes results.json (every round, with wrk's raw output) and results.md to dir. */
export function writeResults(dir, run, md) {
  writeFileSync(path.join(dir, "results.json"), JSON.stringify(run, null, 2) + "\n");
  writeFileSync(path.join(dir, "results.md"), md);
}
