// Resident memory of a child process from /proc/PID/status, and a sampler that keeps its peak
// while a test pushes or pulls a large body through it.
import { readFileSync } from "node:fs";

/** memoryOf reads VmRSS and VmHWM (bytes) of `pid` from /proc. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** sampleRss samples VmRSS of `pid` every `everyMs` until `stop()`, which returns the peak seen. */
export function sampleRss(pid: number, everyMs = 20): { stop(): number } {
  let peak = memoryOf(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryOf(pid).rss);
    } catch {
      // the child exited; the test's own checks say so
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** MB formats bytes as megabytes for a diagnostic. */
export const MB = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
