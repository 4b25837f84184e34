// PubSubBroker: what serve({ pubsub }) needs of a message broker (Redis, PostgreSQL) to carry
// server.publish() and ws.publish() to every node. No database client is imported here.

/**
 * PubSubMessage is one published message as it travels between nodes; a broker of your own
 * receives it in `publish` and hands it back through {@link PubSubEvents}.
 *
 * @example
 * ```ts
 * import type { PubSubMessage } from "sockserve";
 *
 * const m: PubSubMessage = { topic: "chat", payload: new TextEncoder().encode("hi"), binary: false, compress: false, origin: "node-a" };
 * console.log(m.topic, m.payload.byteLength); // chat 2
 * ```
 */
export interface PubSubMessage {
  /** topic the message was published to. */
  topic: string;
  /** payload is the message's bytes (UTF-8 for text). */
  payload: Uint8Array;
  /** binary tells a binary message from a text one. */
  binary: boolean;
  /** compress is the publisher's compress flag. */
  compress: boolean;
  /** origin is the publishing node's id: a node skips its own messages (it delivered them already). */
  origin: string;
}

/**
 * PubSubStatus is the state of a node's broker link, as `server.pubsubStatus` tells it.
 *
 * @example
 * ```ts
 * import type { PubSubStatus } from "sockserve";
 *
 * const ready = (status: PubSubStatus | null): boolean => status === null || status === "connected";
 * console.log(ready("disconnected")); // false
 * ```
 */
export type PubSubStatus = "connecting" | "connected" | "disconnected" | "closed";

/**
 * PubSubEvents are what a broker reports to its node: the messages that arrive, and log lines.
 *
 * @example
 * ```ts
 * import type { PubSubEvents } from "sockserve";
 *
 * const events: PubSubEvents = { message: (m) => console.log(m.topic), log: (line) => console.error(line) };
 * events.log("pubsub: broker reconnected");
 * ```
 */
export interface PubSubEvents {
  /** message delivers a message that arrived from the broker. */
  message(message: PubSubMessage): void;
  /** log reports an outage or a recovery, once per interval. */
  log(line: string): void;
}

/**
 * PubSubBroker links one node to a broker, over one connection (or a subscriber and a publisher
 * connection), never one per topic. `sockserve/pubsub/redis` and `sockserve/pubsub/postgres`
 * make one; serve() drives it: subscribe when a topic gets its first local subscriber,
 * unsubscribe when the last one leaves, publish on every server.publish or ws.publish.
 *
 * @example
 * ```ts
 * import { serve, type PubSubBroker } from "sockserve";
 * import { redisPubSub } from "sockserve/pubsub/redis";
 *
 * const pubsub: PubSubBroker = redisPubSub({ url: "redis://127.0.0.1:6379" });
 * const server = await serve({ port: 0, pubsub, fetch: () => new Response("hi") });
 * console.log(server.pubsubStatus); // "connecting", then "connected"
 * ```
 */
export interface PubSubBroker {
  /** start connects (in the background: serve() does not wait) and reports to `events`. */
  start(events: PubSubEvents): void;
  /** subscribe asks the broker for a topic's messages (kept across reconnects). */
  subscribe(topic: string): void;
  /** unsubscribe stops asking for a topic. */
  unsubscribe(topic: string): void;
  /** publish sends a message to every node; while disconnected it is dropped (at-most-once). */
  publish(message: PubSubMessage): void;
  /** status tells whether the broker is connected. */
  readonly status: PubSubStatus;
  /** close ends the broker connections. */
  close(): Promise<void>;
}
