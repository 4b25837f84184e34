// The primary process of `workers: N`: it forks the workers that share the listening port,
// restarts crashed ones with backoff, replaces them one at a time on SIGHUP, stops them
// gracefully on SIGTERM/SIGINT, relays pub/sub messages between them, and hands them the TLS
// session ticket keys they share (current and previous). It serves nothing.
import cluster, { type Worker } from "node:cluster";
import { TicketKeyRotation } from "./ticket-key-rotation.js";

/** Message is what the primary and the workers say to each other. */
export type ClusterMessage =
  | { sockserve: "listening"; port: number; address: string; family: string }
  | { sockserve: "publish"; topic: string; data: string; binary: boolean; compress: boolean }
  | { sockserve: "stop"; drainTimeout: number; shutdownDelay?: number }
  | { sockserve: "listen-error"; code: string | undefined; message: string }
  /** keys encrypts new tickets, previous (after the first rotation) still decrypts; both base64. */
  | { sockserve: "ticket-keys"; keys: string; previous?: string }
  | { sockserve: "count" }
  | { sockserve: "pending"; n: number };

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
  /** ticketKeys shares rotating TLS session ticket keys among the workers. */
  ticketKeys: boolean;
  /** ticketKeyRotation: ms between two rotations of the ticket keys (default 1 hour). */
  ticketKeyRotation?: number;
  /** onGiveUp runs when workers keep exiting before they listen, after start resolved. */
  onGiveUp(message: string): void;
}

const MAX_BACKOFF = 30_000;
/** MAX_START_FAILURES: workers in a row that exit before listening, with none serving, before the primary gives up. */
const MAX_START_FAILURES = 5;

/** Primary runs the workers. */
export class Primary {
  #options: PrimaryOptions;
  #workers = new Set<Worker>();
  #retiring = new Set<Worker>();
  #listeningWorkers = new Set<Worker>();
  #started = false;
  #stopping: Promise<void> | null = null;
  #failures = 0;
  #restarts = new Set<NodeJS.Timeout>();
  #tickets: TicketKeyRotation | null;
  #listening: Promise<ClusterMessage & { sockserve: "listening" }>;
  #onListening!: (m: ClusterMessage & { sockserve: "listening" }) => void;
  #onListenError!: (err: Error) => void;

  constructor(options: PrimaryOptions) {
    this.#options = options;
    this.#tickets = options.ticketKeys ? new TicketKeyRotation(() => this.broadcast(this.#ticketKeys()!), options.ticketKeyRotation) : null;
    this.#listening = new Promise((resolve, reject) => {
      this.#onListening = (m) => {
        this.#started = true;
        resolve(m);
      };
      this.#onListenError = (err) => {
        if (this.#started) return options.onGiveUp(err.message);
        this.#started = true;
        this.#tickets?.stop();
        // No restarts, and no worker left to write to a primary that is gone: end them, then report.
        this.#stopping ??= Promise.all([...this.#workers].map((w) => exited(w))).then(() => reject(err));
      };
    });
  }

  /** start forks the workers and resolves with the address the first one listens on. */
  async start(): Promise<{ port: number; address: string; family: string }> {
    for (let i = 0; i < this.#options.workers; i++) this.#fork();
    if (this.#options.handleSignals) {
      process.on("SIGHUP", () => void this.rollingRestart());
      process.on("SIGTERM", () => this.#onStopSignal("SIGTERM"));
      process.on("SIGINT", () => this.#onStopSignal("SIGINT"));
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
      this.#retiring.add(fresh); // until it listens: an exit now is a failed restart, not a crash to repeat
      const exit = await listenedOrExited(fresh);
      if (exit !== null) {
        this.#options.log(`rolling restart stopped: a new worker exited (${exit}) before it listened; ${this.#workers.size} running worker(s) keep serving`);
        return;
      }
      this.#retiring.delete(fresh);
      await this.#retire(old);
    }
    this.#options.log("rolling restart done");
  }

  /** stop drains every worker and resolves when all have exited. */
  stop(): Promise<void> {
    this.#tickets?.stop();
    for (const timer of this.#restarts) clearTimeout(timer);
    const delay = this.#options.shutdownDelay ?? 0; // all at once, so the lame duck is the same for every worker
    this.#stopping ??= Promise.all([...this.#workers].map((w) => this.#retire(w, delay))).then(() => undefined);
    return this.#stopping;
  }

  /**
   * #onStopSignal drains on the first SIGINT or SIGTERM (SIGINT first says how many connections
   * it waits for, counted by the workers), and on a second one kills the workers and exits at
   * once with 128 + the signal's number, as a shell reports it.
   */
  #onStopSignal(signal: "SIGINT" | "SIGTERM"): void {
    if (this.#stopping !== null) {
      for (const w of this.#workers) w.process.kill("SIGKILL");
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    const counted = signal === "SIGINT" ? this.#countPending(500) : Promise.resolve(-1);
    this.#stopping = counted.then((n) => {
      if (n >= 0) this.#options.log(`stopping: waiting for ${n} connection${n === 1 ? "" : "s"}, press Ctrl-C again to quit now`);
      this.#stopping = null;
      return this.stop();
    });
    void this.#stopping.then(() => process.exit(0));
  }

  /** #countPending asks every worker for its requests and WebSockets in progress, waiting at most `ms`. */
  #countPending(ms: number): Promise<number> {
    const workers = [...this.#workers].filter((w) => w.isConnected());
    return new Promise((resolve) => {
      let total = 0;
      let waiting = workers.length;
      const done = (): void => {
        for (const w of workers) w.off("message", onMessage);
        clearTimeout(timer);
        resolve(total);
      };
      const onMessage = (m: ClusterMessage): void => {
        if (m?.sockserve !== "pending") return;
        total += m.n;
        if (--waiting === 0) done();
      };
      const timer = setTimeout(done, ms);
      for (const w of workers) w.on("message", onMessage);
      if (waiting === 0) return done();
      for (const w of workers) w.send({ sockserve: "count" } satisfies ClusterMessage);
    });
  }

  /** broadcast sends a message to every worker but `except`. */
  broadcast(message: ClusterMessage, except?: number): void {
    for (const w of this.#workers) if (w.id !== except && w.isConnected()) w.send(message);
  }

  /** #ticketKeys is the message that hands a worker the current ticket key and the previous one. */
  #ticketKeys(): ClusterMessage | null {
    const tickets = this.#tickets;
    if (tickets === null) return null;
    const previous = tickets.previous?.toString("base64");
    return { sockserve: "ticket-keys", keys: tickets.current.toString("base64"), ...(previous === undefined ? {} : { previous }) };
  }

  #fork(): Worker {
    const worker = cluster.fork();
    this.#workers.add(worker);
    worker.on("message", (m: ClusterMessage) => {
      if (m?.sockserve === "listening") {
        this.#failures = 0;
        this.#listeningWorkers.add(worker);
        const keys = this.#ticketKeys();
        if (keys !== null) worker.send(keys); // a replacement after a rolling restart gets the previous key too
        this.#onListening(m);
      } else if (m?.sockserve === "publish") this.broadcast(m, worker.id);
      else if (m?.sockserve === "listen-error") this.#onListenError(Object.assign(new Error(m.message), { code: m.code }));
    });
    worker.on("exit", (code, signal) => this.#onExit(worker, code, signal));
    return worker;
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    this.#workers.delete(worker);
    const listened = this.#listeningWorkers.delete(worker);
    if (this.#retiring.delete(worker) || this.#stopping !== null) return;
    if (!listened) this.#failures++;
    if (this.#failures >= MAX_START_FAILURES && this.#listeningWorkers.size === 0) {
      this.#onListenError(new Error(`workers keep exiting before they listen (${this.#failures} in a row, the last with ${signal ?? `exit ${code}`}); giving up`));
      return;
    }
    const delay = Math.min(MAX_BACKOFF, 100 * 2 ** Math.min(Math.max(this.#failures, 1) - 1, 9));
    this.#options.log(`worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); restarting in ${delay} ms`);
    // Not unref'd: with every worker dead, this timer is what keeps the primary alive until it forks again.
    const timer = setTimeout(() => {
      this.#restarts.delete(timer);
      if (this.#stopping === null) this.#fork();
    }, delay);
    this.#restarts.add(timer);
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

/** exited kills a worker that has not listened (it serves nothing) and resolves when it is gone. */
function exited(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once("exit", () => resolve());
    worker.process.kill("SIGKILL");
  });
}

/** listenedOrExited waits for a new worker's "listening" (null) or its exit (how it ended). */
function listenedOrExited(worker: Worker): Promise<string | null> {
  return new Promise((resolve) => {
    const onMessage = (m: ClusterMessage): void => {
      if (m?.sockserve !== "listening") return;
      worker.off("message", onMessage);
      worker.off("exit", onExit);
      resolve(null);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      worker.off("message", onMessage);
      resolve(signal ?? `exit ${code}`);
    };
    worker.on("message", onMessage);
    worker.once("exit", onExit);
  });
}
