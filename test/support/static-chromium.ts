// Finds headless Chromium for the browser tests, installing Debian's package
// (apt-get, as root) when /usr/bin/chromium is missing.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";

/** CHROMIUM is where Debian's chromium package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** CHROMIUM_ARGS are the launch flags: headless, no sandbox (root), nothing phoning home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function run(command: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr.slice(-2000)}`));
        else resolve();
      },
    );
  });
}

/** ensureChromium returns CHROMIUM's path, running apt-get update and install first if it is missing. */
export async function ensureChromium(timeoutMs = 10 * 60_000): Promise<string> {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const started = Date.now();
  await run("apt-get", ["update"], timeoutMs);
  const left = Math.max(60_000, timeoutMs - (Date.now() - started));
  await run("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "chromium"], left);
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
  return CHROMIUM;
}
