// sockserve/pubsub/redis: a PubSubBroker on Redis pub/sub (the `redis` npm package, an optional
// peer dependency). Two connections per node: one subscribed, one publishing; channel = prefix + topic.
import { createClient } from "redis";
import type { PubSubBroker, PubSubEvents, PubSubMessage, PubSubStatus } from "../server/pubsub-broker.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope.js";
import { backoff, OutageLog } from "./outage-log.js";
import { redactUrl } from "./redact-url.js";

/** RedisPubSubOptions configures {@link redisPubSub}. */
export interface RedisPubSubOptions {
  /** url of the Redis server, e.g. "redis://127.0.0.1:6379" (rediss:// for TLS). */
  url: string;
  /** prefix is put before each topic to make its channel name. Default "sockserve:". */
  prefix?: string;
  /** maxReconnectDelay caps the reconnect backoff (100 ms, doubling), in ms. Default 5000. */
  maxReconnectDelay?: number;
  /** outageLogInterval: an outage is logged at most once per this many ms. Default 30000. */
  outageLogInterval?: number;
}

type RedisClient = ReturnType<typeof createClient>;

/**
 * redisPubSub makes a broker for `serve({ pubsub })` on Redis: every node's server.publish()
 * and ws.publish() reach the subscribers on every node.
 *
 * @example
 * ```ts
 * import { serve } from "sockserve";
 * import { redisPubSub } from "sockserve/pubsub/redis";
 *
 * const server = await serve({
 *   port: 3000,
 *   pubsub: redisPubSub({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" }),
 *   fetch: (request, server) => (server.upgrade(request) ? undefined : new Response("chat")),
 *   websocket: {
 *     open: (ws) => ws.subscribe("chat"),
 *     message: (ws, message) => void server.publish("chat", message),
 *   },
 * });
 * ```
 */
export function redisPubSub(options: RedisPubSubOptions): PubSubBroker {
  return new RedisPubSub(options);
}

class RedisPubSub implements PubSubBroker {
  #options: Required<RedisPubSubOptions>;
  #publisher: RedisClient | null = null;
  #subscriber: RedisClient | null = null;
  #events: PubSubEvents | null = null;
  #outage: OutageLog | null = null;
  #closed = false;
  #everReady = false;
  #listener = (message: Buffer): void => {
    const decoded = decodeEnvelope(message);
    if (decoded !== null) this.#events?.message(decoded);
  };

  constructor(options: RedisPubSubOptions) {
    if (typeof options?.url !== "string") throw new TypeError("redisPubSub() needs { url }");
    this.#options = { prefix: "sockserve:", maxReconnectDelay: 5000, outageLogInterval: 30_000, ...options };
  }

  get status(): PubSubStatus {
    if (this.#closed || this.#publisher === null) return "closed";
    if (this.#publisher.isReady && this.#subscriber!.isReady) return "connected";
    return this.#everReady ? "disconnected" : "connecting";
  }

  start(events: PubSubEvents): void {
    if (this.#publisher !== null || this.#closed) return;
    this.#events = events;
    const outage = (this.#outage = new OutageLog(`Redis at ${redactUrl(this.#options.url)}`, events.log, this.#options.outageLogInterval));
    const maxDelay = this.#options.maxReconnectDelay;
    this.#publisher = createClient({ url: this.#options.url, socket: { reconnectStrategy: (retries) => backoff(retries, maxDelay) } });
    this.#subscriber = this.#publisher.duplicate();
    for (const client of [this.#publisher, this.#subscriber]) {
      client.on("error", (err: unknown) => outage.down(err));
      client.on("ready", () => {
        if (this.status !== "connected") return;
        this.#everReady = true;
        outage.up();
      });
      client.connect().catch((err: unknown) => outage.down(err));
    }
  }

  subscribe(topic: string): void {
    if (this.#closed) return;
    this.#subscriber?.subscribe(this.#options.prefix + topic, this.#listener, true).catch((err: unknown) => this.#outage?.down(err));
  }

  unsubscribe(topic: string): void {
    if (this.#closed) return;
    this.#subscriber?.unsubscribe(this.#options.prefix + topic, this.#listener, true).catch((err: unknown) => this.#outage?.down(err));
  }

  publish(message: PubSubMessage): void {
    const publisher = this.#publisher;
    if (publisher === null || !publisher.isReady) return this.#outage?.dropped();
    publisher.publish(this.#options.prefix + message.topic, encodeEnvelope(message)).catch((err: unknown) => this.#outage?.down(err));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#publisher, this.#subscriber].map((c) => (c?.isReady ? c.close().catch(() => c.destroy()) : c?.destroy())));
  }
}
