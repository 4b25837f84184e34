// The primary process of `workers: N`: it forks the workers that share the listening port,
// restarts crashed ones with backoff, replaces them one at a time on SIGHUP, stops them
// gracefully on SIGTERM/SIGINT, and relays pub/sub messages between them. It serves nothing.
import cluster, { type Worker } from "node:cluster";

/** Message is what the primary and the workers say to each other. */
export type ClusterMessage =
  | { sockserve: "listening"; port: number; address: string; family: string }
  | { sockserve: "publish"; topic: string; data: string; binary: boolean; compress: boolean }
  | { sockserve: "stop"; drainTimeout: number; shutdownDelay?: number }
  | { sockserve: "reload-tls" };

/** PrimaryOptions configures the workers. */
export interface PrimaryOptions {
  workers: number;
  /** drainTimeout: ms a stopping worker may take to finish in-flight requests. */
  drainTimeout: number;
  /** shutdownDelay: ms of lame duck every worker keeps serving (health 503) on a full stop. */
  shutdownDelay?: number;
  log(message: string): void;
  /** handleSignals installs SIGHUP (rolling restart), SIGTERM and SIGINT (graceful stop). */
  handleSignals: boolean;
}

const MAX_BACKOFF = 30_000;

/** Primary runs the workers. */
export class Primary {
  #options: PrimaryOptions;
  #workers = new Set<Worker>();
  #retiring = new Set<Worker>();
  #stopping: Promise<void> | null = null;
  #failures = 0;
  #listening: Promise<ClusterMessage & { sockserve: "listening" }>;
  #onListening!: (m: ClusterMessage & { sockserve: "listening" }) => void;
  #onListenError!: (err: Error) => void;

  constructor(options: PrimaryOptions) {
    this.#options = options;
    this.#listening = new Promise((resolve, reject) => {
      this.#onListening = resolve;
      this.#onListenError = reject;
    });
  }

  /** start forks the workers and resolves with the address the first one listens on. */
  async start(): Promise<{ port: number; address: string; family: string }> {
    for (let i = 0; i < this.#options.workers; i++) this.#fork();
    if (this.#options.handleSignals) {
      process.on("SIGHUP", () => void this.rollingRestart());
      process.on("SIGTERM", () => void this.stop().then(() => process.exit(0)));
      process.on("SIGINT", () => void this.stop().then(() => process.exit(0)));
    }
    return this.#listening;
  }

  get workerCount(): number {
    return this.#workers.size;
  }

  /** rollingRestart replaces every worker, one at a time: the new one listens before the old one drains. */
  async rollingRestart(): Promise<void> {
    this.#options.log(`rolling restart of ${this.#workers.size} worker(s)`);
    for (const old of [...this.#workers]) {
      if (this.#stopping !== null) return;
      const fresh = this.#fork();
      await new Promise<void>((resolve) => {
        const onMessage = (m: ClusterMessage): void => {
          if (m?.sockserve === "listening") {
            fresh.off("message", onMessage);
            resolve();
          }
        };
        fresh.on("message", onMessage);
        fresh.once("exit", () => resolve());
      });
      await this.#retire(old);
    }
    this.#options.log("rolling restart done");
  }

  /** stop drains every worker and resolves when all have exited. */
  stop(): Promise<void> {
    const delay = this.#options.shutdownDelay ?? 0; // all at once, so the lame duck is the same for every worker
    this.#stopping ??= Promise.all([...this.#workers].map((w) => this.#retire(w, delay))).then(() => undefined);
    return this.#stopping;
  }

  /** broadcast sends a message to every worker but `except`. */
  broadcast(message: ClusterMessage, except?: number): void {
    for (const w of this.#workers) if (w.id !== except && w.isConnected()) w.send(message);
  }

  #fork(): Worker {
    const worker = cluster.fork();
    this.#workers.add(worker);
    worker.on("message", (m: ClusterMessage) => {
      if (m?.sockserve === "listening") {
        this.#failures = 0;
        this.#onListening(m);
      } else if (m?.sockserve === "publish") this.broadcast(m, worker.id);
    });
    worker.on("exit", (code, signal) => this.#onExit(worker, code, signal));
    return worker;
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    this.#workers.delete(worker);
    if (this.#retiring.delete(worker) || this.#stopping !== null) return;
    this.#failures++;
    const delay = Math.min(MAX_BACKOFF, 100 * 2 ** Math.min(this.#failures - 1, 9));
    this.#options.log(`worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); restarting in ${delay} ms`);
    if (this.#failures > 20 && this.#workers.size === 0) {
      this.#onListenError(new Error("workers keep dying before they listen"));
      return;
    }
    setTimeout(() => {
      if (this.#stopping === null) this.#fork();
    }, delay).unref();
  }

  /** #retire asks a worker to drain and exit, and kills it if it outlives the drain timeout. */
  #retire(worker: Worker, shutdownDelay = 0): Promise<void> {
    this.#retiring.add(worker);
    return new Promise((resolve) => {
      if (worker.isDead()) return resolve();
      worker.once("exit", () => resolve());
      if (worker.isConnected()) worker.send({ sockserve: "stop", drainTimeout: this.#options.drainTimeout, shutdownDelay } satisfies ClusterMessage);
      setTimeout(() => worker.process.kill("SIGKILL"), shutdownDelay + this.#options.drainTimeout + 5000).unref();
    });
  }
}
