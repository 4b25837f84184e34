// linkBroker: wires a server's topics to a PubSubBroker. A publish is delivered locally at once
// and sent to the broker; what the broker brings back is delivered unless this node sent it.
import { randomBytes } from "node:crypto";
import type { PubSubBroker, PubSubEvents, PubSubMessage } from "./pubsub-broker.js";
import type { Subscriber, Topics } from "../websocket/pubsub.js";

/** newOrigin makes a node id: random, so two processes never share one. */
export function newOrigin(): string {
  return randomBytes(9).toString("base64url");
}

/** pubsubMessage is a publish as the broker carries it (a string travels as its UTF-8 bytes). */
export function pubsubMessage(topic: string, data: string | Uint8Array, compress: boolean, origin: string): PubSubMessage {
  const binary = typeof data !== "string";
  return { topic, payload: binary ? data : Buffer.from(data), binary, compress, origin };
}

/**
 * linkBroker makes the broker follow the topics (first local subscriber: subscribe; last one
 * gone: unsubscribe) and carry every local publish to the other nodes. Our own messages coming
 * back are skipped by origin: they reached the local subscribers (all but a ws.publish sender)
 * when they were published, which also keeps local delivery going while the broker is down.
 */
export function linkBroker<S extends Subscriber>(topics: Topics<S>, broker: PubSubBroker, log: PubSubEvents["log"]): void {
  const origin = newOrigin();
  const decoder = new TextDecoder();
  topics.onTopic = (topic, subscribed) => (subscribed ? broker.subscribe(topic) : broker.unsubscribe(topic));
  topics.relay = (topic, data, compress) => broker.publish(pubsubMessage(topic, data, compress, origin));
  broker.start({
    message(m) {
      if (m.origin === origin) return;
      topics.publish(m.topic, m.binary ? m.payload : decoder.decode(m.payload), m.compress, null, true);
    },
    log,
  });
}
