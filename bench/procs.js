// procs.js: the child processes the harness starts (servers, wrk).
// Each is tracked by its PID and stopped by that PID, also on Ctrl-C; nothing else is touched.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const live = new Set();

/** start spawns argv, tracks the child, and adds `child.exited`, a promise of { code, signal, error }. */
export function start(argv, options = {}) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], ...options });
  live.add(child);
  child.exited = new Promise((resolve) => {
    const done = (result) => {
      live.delete(child);
      resolve(result);
    };
    child.once("exit", (code, signal) => done({ code, signal }));
    child.once("error", (error) => done({ code: null, signal: null, error }));
  });
  return child;
}

/** stop sends SIGTERM to the child's PID, then SIGKILL if it has not exited after graceMs. */
export async function stop(child, graceMs = 3000) {
  if (!live.has(child)) return child.exited;
  child.kill("SIGTERM");
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, graceMs, "late")));
  if ((await Promise.race([child.exited, late])) === "late") child.kill("SIGKILL");
  clearTimeout(timer);
  return child.exited;
}

/** cpuTicks reads a process's user + system CPU time from /proc, in clock ticks (1/100 s on Linux), or null. */
export function cpuTicks(pid) {
  return statFields(`/proc/${pid}/stat`, 11, 12); // utime, stime (fields 14 and 15 of stat)
}

/** childrenCpuTicks is the CPU time of this process's children that have exited (and been reaped), or null. */
export function childrenCpuTicks() {
  return statFields("/proc/self/stat", 13, 14); // cutime, cstime (fields 16 and 17)
}

function statFields(file, a, b) {
  try {
    const stat = readFileSync(file, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[a]) + Number(fields[b]);
  } catch {
    return null;
  }
}

/**
 * cpuDuring runs `fn` (a load client's run) and resolves to { value, serverCpu, clientCpu }: the
 * CPU the server (by PID, from /proc/PID/stat) and the client used meanwhile (1 = one core busy),
 * or null where unknown. The client's is this process's reaped children, so the client must be
 * the only child that exits meanwhile.
 */
export async function cpuDuring(serverPid, fn) {
  const server0 = cpuTicks(serverPid);
  const client0 = childrenCpuTicks();
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const server1 = cpuTicks(serverPid);
  const client1 = childrenCpuTicks();
  const rate = (a, b) => (a == null || b == null ? null : (b - a) / 100 / seconds);
  return { value, serverCpu: rate(server0, server1), clientCpu: rate(client0, client1) };
}

/** stopAll stops every child still running. */
export function stopAll() {
  return Promise.all([...live].map((child) => stop(child)));
}

/** pinned prefixes argv with `taskset -c <cpu>`; cpu null means unpinned. */
export function pinned(cpu, argv) {
  return cpu == null ? argv : ["taskset", "-c", String(cpu), ...argv];
}

/** canPin tells whether `taskset` exists and may use CPUs 0 and 1; otherwise it returns the reason. */
export function canPin() {
  for (const cpu of [0, 1]) {
    const r = spawnSync("taskset", ["-c", String(cpu), "true"], { stdio: "ignore" });
    if (r.error?.code === "ENOENT") return { ok: false, reason: "taskset is not installed" };
    if (r.status !== 0) return { ok: false, reason: `taskset cannot use CPU ${cpu}` };
  }
  return { ok: true };
}
