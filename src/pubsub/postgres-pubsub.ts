// sockserve/pubsub/postgres: a PubSubBroker on PostgreSQL LISTEN/NOTIFY (the `pg` npm package, an
// optional peer dependency). One connection per node listens and notifies; messages over 8,000
// bytes travel in chunks (notify-chunks.ts). A channel is prefix + SHA-1 of the topic (≤ 63 bytes).
import { createHash } from "node:crypto";
import pg from "pg";
import type { PubSubBroker, PubSubEvents, PubSubMessage, PubSubStatus } from "../server/pubsub-broker.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope.js";
import { ChunkJoiner, splitChunks } from "./notify-chunks.js";
import { backoff, OutageLog } from "./outage-log.js";
import { redactUrl } from "./redact-url.js";

/** PostgresPubSubOptions configures {@link postgresPubSub}. */
export interface PostgresPubSubOptions {
  /** connectionString of the database, e.g. "postgres://user@127.0.0.1:5432/app". */
  connectionString: string;
  /** prefix starts each channel name (at most 23 characters: letters, digits, _). Default "sockserve_". */
  prefix?: string;
  /** maxMessageSize: larger publishes are dropped (and logged). Default 16 MiB, as websocket.maxPayloadLength. */
  maxMessageSize?: number;
  /** maxReconnectDelay caps the reconnect backoff (100 ms, doubling), in ms. Default 5000. */
  maxReconnectDelay?: number;
  /** outageLogInterval: an outage is logged at most once per this many ms. Default 30000. */
  outageLogInterval?: number;
}

/** PostgresPubSub is the broker postgresPubSub() returns, with a look at its listening connection. */
export interface PostgresPubSub extends PubSubBroker {
  /** listeningChannels asks the listening connection for pg_listening_channels(). */
  listeningChannels(): Promise<string[]>;
}

/**
 * postgresPubSub makes a broker for `serve({ pubsub })` on PostgreSQL's LISTEN/NOTIFY: every
 * node's server.publish() and ws.publish() reach the subscribers on every node.
 *
 * @example
 * ```ts
 * import { serve } from "sockserve";
 * import { postgresPubSub } from "sockserve/pubsub/postgres";
 *
 * const server = await serve({
 *   port: 3000,
 *   pubsub: postgresPubSub({ connectionString: process.env.DATABASE_URL ?? "postgres://127.0.0.1/app" }),
 *   fetch: (request, server) => (server.upgrade(request) ? undefined : new Response("feed")),
 *   websocket: { open: (ws) => ws.subscribe("feed"), message: (ws, message) => ws.publish("feed", message) },
 * });
 * ```
 */
export function postgresPubSub(options: PostgresPubSubOptions): PostgresPubSub {
  return new PgPubSub(options);
}

class PgPubSub implements PostgresPubSub {
  #options: Required<PostgresPubSubOptions>;
  #client: pg.Client | null = null;
  #connected = false;
  #started = false;
  #closed = false;
  #everConnected = false;
  #attempt = 0;
  #retry: NodeJS.Timeout | null = null;
  #events: PubSubEvents | null = null;
  #outage: OutageLog | null = null;
  #topics = new Set<string>();
  #changes = new Map<string, boolean>();
  #flushQueued = false;
  #seq = 0;
  #joiner: ChunkJoiner;

  constructor(options: PostgresPubSubOptions) {
    if (typeof options?.connectionString !== "string") throw new TypeError("postgresPubSub() needs { connectionString }");
    this.#options = { prefix: "sockserve_", maxMessageSize: 16 * 1024 * 1024, maxReconnectDelay: 5000, outageLogInterval: 30_000, ...options };
    if (!/^[A-Za-z0-9_]{0,23}$/.test(this.#options.prefix)) throw new TypeError("postgresPubSub() prefix must be at most 23 letters, digits or _");
    this.#joiner = new ChunkJoiner(this.#options.maxMessageSize);
  }

  get status(): PubSubStatus {
    if (this.#closed || !this.#started) return "closed";
    if (this.#connected) return "connected";
    return this.#everConnected ? "disconnected" : "connecting";
  }

  start(events: PubSubEvents): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#events = events;
    this.#outage = new OutageLog(`PostgreSQL at ${redactUrl(this.#options.connectionString)}`, events.log, this.#options.outageLogInterval);
    void this.#connect();
  }

  async #connect(): Promise<void> {
    this.#retry = null;
    const client = new pg.Client({ connectionString: this.#options.connectionString, keepAlive: true });
    this.#client = client;
    client.on("error", (err) => this.#lost(client, err));
    client.on("end", () => this.#lost(client, new Error("connection ended")));
    client.on("notification", (n) => this.#notification(n.payload));
    try {
      await client.connect();
      this.#changes.clear();
      await this.#listen([...this.#topics].map((t) => `LISTEN ${this.#channel(t)}`));
    } catch (err) {
      return this.#lost(client, err);
    }
    if (this.#client !== client || this.#closed) return;
    this.#connected = this.#everConnected = true;
    this.#attempt = 0;
    this.#outage!.up();
  }

  /** #lost drops a broken connection and schedules the next attempt (once per connection). */
  #lost(client: pg.Client, err: unknown): void {
    if (this.#client !== client) return;
    this.#client = null;
    this.#connected = false;
    this.#joiner.clear();
    client.removeAllListeners("notification");
    client.on("error", () => {}); // a late error of a dead connection is not news
    void client.end().catch(() => {});
    if (this.#closed) return;
    this.#outage!.down(err);
    this.#retry = setTimeout(() => void this.#connect(), backoff(this.#attempt++, this.#options.maxReconnectDelay));
    this.#retry.unref();
  }

  #channel(topic: string): string {
    return `"${this.#options.prefix}${createHash("sha1").update(topic).digest("hex")}"`;
  }

  /** #listen runs LISTEN/UNLISTEN statements in batches of simple multi-statement queries. */
  async #listen(statements: string[]): Promise<void> {
    for (let i = 0; i < statements.length; i += 1000) await this.#client!.query(statements.slice(i, i + 1000).join(";"));
  }

  subscribe(topic: string): void {
    this.#topics.add(topic);
    this.#change(topic, true);
  }

  unsubscribe(topic: string): void {
    this.#topics.delete(topic);
    this.#change(topic, false);
  }

  /** #change queues a LISTEN or UNLISTEN; the changes of one tick go in one query. */
  #change(topic: string, listen: boolean): void {
    if (!this.#connected) return; // a (re)connection listens to the whole set
    this.#changes.set(topic, listen);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushQueued = false;
    if (!this.#connected || this.#changes.size === 0) return;
    const statements = [...this.#changes].map(([t, on]) => `${on ? "LISTEN" : "UNLISTEN"} ${this.#channel(t)}`);
    this.#changes.clear();
    const client = this.#client!;
    this.#listen(statements).catch((err: unknown) => this.#lost(client, err));
  }

  publish(message: PubSubMessage): void {
    if (!this.#connected) return this.#outage?.dropped();
    if (message.payload.byteLength > this.#options.maxMessageSize) {
      this.#events?.log(`pubsub: a ${message.payload.byteLength}-byte message to ${JSON.stringify(message.topic)} is over maxMessageSize (${this.#options.maxMessageSize}); not relayed`);
      return;
    }
    const chunks = splitChunks(`${message.origin}.${(this.#seq++).toString(36)}`, encodeEnvelope(message));
    const channel = this.#channel(message.topic).slice(1, -1);
    const client = this.#client!;
    // One statement is one transaction: its notifications arrive together, after the previous ones
    // (the chunks carry their index, so their order inside it does not matter).
    const sent = chunks.length === 1 ? client.query("SELECT pg_notify($1, $2)", [channel, chunks[0]]) : client.query("SELECT pg_notify($1, c) FROM unnest($2::text[]) AS c", [channel, chunks]);
    sent.catch((err: unknown) => this.#lost(client, err));
  }

  #notification(payload: string | undefined): void {
    const envelope = payload === undefined ? null : this.#joiner.add(payload);
    const message = envelope === null ? null : decodeEnvelope(envelope);
    if (message !== null) this.#events?.message(message);
  }

  async listeningChannels(): Promise<string[]> {
    this.#flush();
    if (this.#client === null || !this.#connected) throw new Error("postgresPubSub: not connected");
    const result = await this.#client.query<{ channel: string }>("SELECT pg_listening_channels() AS channel");
    return result.rows.map((r) => r.channel);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    if (this.#retry !== null) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }
}
