// Ctrl-C and SIGTERM for a single-process server: the first signal drains (in-flight requests
// finish) and says how many it waits for; a second one quits at once.

/** Drainable is the part of a Server that a stop needs. */
export interface Drainable {
  readonly pendingRequests: number;
  readonly pendingWebSockets: number;
  drain(timeoutMs: number): Promise<void>;
}

/**
 * stopOnSignals makes the first SIGINT print `stopping: waiting for N connections, press Ctrl-C
 * again to quit now` and drain (exit 0 when done); a second SIGINT exits 130 at once (128 +
 * SIGINT, as shells report it). SIGTERM drains silently; a second SIGTERM exits 143. A signal
 * within `echoMs` of the first is taken for the same one: under `node --watch` a terminal's
 * Ctrl-C reaches the server twice, from the terminal and relayed by the watcher.
 */
export function stopOnSignals(server: Drainable, drainTimeoutMs: number, say: (line: string) => void, echoMs = 0): void {
  let stopping = 0;
  const stop = (signal: "SIGINT" | "SIGTERM") => (): void => {
    if (stopping !== 0 && performance.now() - stopping < echoMs) return; // the same Ctrl-C, relayed
    if (stopping !== 0) process.exit(signal === "SIGINT" ? 130 : 143);
    stopping = performance.now();
    if (signal === "SIGINT") {
      const n = server.pendingRequests + server.pendingWebSockets;
      say(`stopping: waiting for ${n} connection${n === 1 ? "" : "s"}, press Ctrl-C again to quit now`);
    }
    void server.drain(drainTimeoutMs).then(() => process.exit(0));
  };
  process.on("SIGINT", stop("SIGINT"));
  process.on("SIGTERM", stop("SIGTERM"));
}
