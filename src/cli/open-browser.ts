// --open: the served URL in the default browser (through the `open` package), never in CI.
import { spawn } from "node:child_process";
import open from "open";

/** Opener opens a URL; the default uses the `open` package. */
export type Opener = (url: string) => Promise<unknown>;

/**
 * openInBrowser opens `url` with `opener`, unless `env.CI` is set (not empty, "0" or "false"):
 * then it only says what it would have opened. `SOCKSERVE_BROWSER=PROGRAM` runs PROGRAM URL
 * instead of the system's default browser. It never throws: a failure is one line through `say`.
 */
export async function openInBrowser(url: string, env: NodeJS.ProcessEnv, say: (line: string) => void, opener: Opener = openerFor(env)): Promise<void> {
  if (env.CI !== undefined && !["", "0", "false"].includes(env.CI)) {
    say(`not opening a browser in CI (CI is set); would have opened ${url}`);
    return;
  }
  try {
    await opener(url);
  } catch (err) {
    say(`could not open a browser for ${url}: ${(err as Error).message}`);
  }
}

/** openerFor picks SOCKSERVE_BROWSER when set, else the `open` package. */
export function openerFor(env: NodeJS.ProcessEnv): Opener {
  const program = env.SOCKSERVE_BROWSER;
  if (program === undefined || program === "") return (url) => open(url);
  return (url) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(program, [url], { stdio: "ignore", detached: true });
      child.once("error", reject);
      child.once("spawn", () => {
        child.unref();
        resolve();
      });
    });
}

/** browsableUrl replaces a wildcard bind address (0.0.0.0, ::) with localhost, which a browser can open. */
export function browsableUrl(url: URL): string {
  const copy = new URL(url);
  if (copy.hostname === "0.0.0.0" || copy.hostname === "[::]") copy.hostname = "localhost";
  return copy.href;
}
