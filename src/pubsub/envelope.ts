// The bytes a message travels in between nodes, the same on every broker: a version, the flags
// (binary, compress), the origin node, the topic and the payload, byte for byte.
import type { PubSubMessage } from "../server/pubsub-broker.js";

const VERSION = 1;
const BINARY = 1;
const COMPRESS = 2;

/** encodeEnvelope packs a message into one buffer. */
export function encodeEnvelope(m: PubSubMessage): Buffer {
  const origin = Buffer.from(m.origin, "latin1");
  const topic = Buffer.from(m.topic);
  const head = Buffer.allocUnsafe(7 + origin.length);
  head[0] = VERSION;
  head[1] = (m.binary ? BINARY : 0) | (m.compress ? COMPRESS : 0);
  head[2] = origin.length;
  origin.copy(head, 3);
  head.writeUInt32BE(topic.length, 3 + origin.length);
  return Buffer.concat([head, topic, m.payload]);
}

/** decodeEnvelope unpacks a buffer from the broker; it returns null for bytes that are not one. */
export function decodeEnvelope(bytes: Buffer): PubSubMessage | null {
  if (bytes.length < 7 || bytes[0] !== VERSION) return null;
  const flags = bytes[1];
  const originEnd = 3 + bytes[2];
  if (bytes.length < originEnd + 4) return null;
  const topicEnd = originEnd + 4 + bytes.readUInt32BE(originEnd);
  if (bytes.length < topicEnd) return null;
  return {
    origin: bytes.toString("latin1", 3, originEnd),
    topic: bytes.toString("utf8", originEnd + 4, topicEnd),
    payload: bytes.subarray(topicEnd),
    binary: (flags & BINARY) !== 0,
    compress: (flags & COMPRESS) !== 0,
  };
}
