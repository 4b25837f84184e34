// Several processes: in the primary, serve({ workers }) returns a ClusterServer that forks and
// manages workers; in a worker, serve() runs as usual and joinCluster() wires it to the primary.
import cluster from "node:cluster";
import { Primary, type ClusterMessage } from "../net/cluster-primary.js";
import type { PubSubBroker } from "./pubsub-broker.js";
import { newOrigin, pubsubMessage } from "./pubsub-link.js";

/** isClusterPrimary tells whether serve() should fork workers instead of listening. */
export function isClusterPrimary(workers: number | "auto" | undefined): boolean {
  return workers !== undefined && workers !== 1 && cluster.isPrimary;
}

/**
 * ClusterServer is what serve({ workers }) returns in the primary process: it forks the workers,
 * which serve the requests, and manages them. In each worker, serve() returns a normal Server.
 *
 * @example
 * ```ts
 * import { ClusterServer, serve } from "sockserve";
 *
 * const server = await serve({ port: 8000, workers: "auto", fetch: () => new Response("hi") });
 * if (server instanceof ClusterServer) {
 *   console.log(`${server.workers} workers on ${server.url}`); // in the primary
 * }
 * ```
 */
export class ClusterServer {
  readonly isPrimary = true;
  readonly port: number;
  readonly hostname: string;
  readonly url: URL;
  #primary: Primary;
  #pubsub: { broker: PubSubBroker; origin: string } | null = null;

  constructor(primary: Primary, address: { port: number; address: string; family: string }, scheme: string, pubsub?: PubSubBroker) {
    this.#primary = primary;
    if (pubsub !== undefined) {
      pubsub.start({ message: () => {}, log: (line) => console.error(`sockserve: ${line}`) });
      this.#pubsub = { broker: pubsub, origin: newOrigin() };
    }
    this.port = address.port;
    this.hostname = address.address;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.url = new URL(`${scheme}://${host}:${address.port}/`);
  }

  /** workers is how many worker processes are running. */
  get workers(): number {
    return this.#primary.workerCount;
  }

  /** stop drains every worker together, after the `shutdownDelay` lame duck (each finishes in-flight requests within the drain timeout). */
  stop(): Promise<void> {
    return this.#primary.stop().then(() => this.#pubsub?.broker.close());
  }

  /** rollingRestart replaces the workers one at a time (SIGHUP does this too). */
  rollingRestart(): Promise<void> {
    return this.#primary.rollingRestart();
  }

  /**
   * publish sends a message to the topic's subscribers in every worker; with `pubsub`, through
   * the broker (the primary's own link, which subscribes to nothing), so that it reaches every node.
   */
  publish(topic: string, data: string | Uint8Array, compress = false): number {
    const link = this.#pubsub;
    if (link === null) this.#primary.broadcast(toMessage(topic, data, compress));
    else {
      link.broker.publish(pubsubMessage(topic, data, compress, link.origin));
    }
    return typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
  }
}

/** startPrimary forks the workers and resolves once one of them listens. */
export async function startPrimary(options: { workers: number | "auto"; drainTimeout: number; shutdownDelay: number; scheme: string; log: (m: string) => void; pubsub?: PubSubBroker | undefined; ticketKeyRotation: number }): Promise<ClusterServer> {
  const { availableParallelism } = await import("node:os");
  const count = options.workers === "auto" ? availableParallelism() : options.workers;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`workers must be a positive integer or "auto", not ${String(options.workers)}`);
  const onGiveUp = (message: string): void => {
    options.log(message);
    process.exit(1);
  };
  const primary = new Primary({ workers: count, drainTimeout: options.drainTimeout, shutdownDelay: options.shutdownDelay, log: options.log, handleSignals: true, ticketKeys: options.scheme === "https", ticketKeyRotation: options.ticketKeyRotation, onGiveUp });
  const address = await primary.start();
  return new ClusterServer(primary, address, options.scheme, options.pubsub);
}

/** WorkerHooks are what a worker's server gives joinCluster. */
export interface WorkerHooks {
  address: { port: number; address: string; family: string };
  /** stop drains; delayMs is the lame duck the primary asks for (none on a rolling restart). */
  stop(drainTimeout: number, delayMs: number): Promise<void>;
  publishLocal(topic: string, data: string | Uint8Array, compress: boolean): void;
  setRelay(relay: (topic: string, data: string | Uint8Array, compress: boolean) => void): void;
  /** setTicketKeys installs the TLS session ticket keys the primary shares, current and previous (a server without TLS ignores them). */
  setTicketKeys(keys: Buffer, previous: Buffer | undefined): void;
  /** pending counts the requests and WebSockets in progress, for the primary's stop message. */
  pending(): number;
}

/** tellPrimaryListenFailed passes a worker's bind error to the primary, which reports it once and exits. */
export function tellPrimaryListenFailed(err: unknown): void {
  if (!cluster.isWorker || process.send === undefined) return;
  const e = err as NodeJS.ErrnoException;
  process.send({ sockserve: "listen-error", code: e.code, message: e.message } satisfies ClusterMessage);
}

/** joinCluster tells the primary this worker listens, and obeys its stop and publish messages. */
export function joinCluster(hooks: WorkerHooks): void {
  if (!cluster.isWorker || process.send === undefined) return;
  hooks.setRelay((topic, data, compress) => process.send!(toMessage(topic, data, compress)));
  // The primary decides when workers stop: a terminal's Ctrl-C reaches the whole process group.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => {});
  process.on("message", (m: ClusterMessage) => {
    if (m?.sockserve === "stop") {
      void hooks.stop(m.drainTimeout, m.shutdownDelay ?? 0).then(() => process.exit(0));
    } else if (m?.sockserve === "publish") {
      hooks.publishLocal(m.topic, m.binary ? Buffer.from(m.data, "base64") : m.data, m.compress);
    } else if (m?.sockserve === "ticket-keys") {
      hooks.setTicketKeys(Buffer.from(m.keys, "base64"), m.previous === undefined ? undefined : Buffer.from(m.previous, "base64"));
    } else if (m?.sockserve === "count") {
      process.send!({ sockserve: "pending", n: hooks.pending() } satisfies ClusterMessage);
    }
  });
  process.send({ sockserve: "listening", ...hooks.address } satisfies ClusterMessage);
}

function toMessage(topic: string, data: string | Uint8Array, compress: boolean): ClusterMessage {
  const binary = typeof data !== "string";
  return { sockserve: "publish", topic, data: binary ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64") : data, binary, compress };
}
