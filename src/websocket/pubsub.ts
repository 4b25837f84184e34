// Topics for publish/subscribe: which sockets listen to what. A published message is framed once,
// and compressed once, and the same bytes go to every subscriber.
import { encodeFrame, Opcode } from "./frame-writer.js";
import { PerMessageDeflate } from "./permessage-deflate.js";

/** Subscriber is what a topic needs of a socket. */
export interface Subscriber {
  /** sendFrame queues prepared frame bytes in order with the socket's other sends. */
  sendFrame(frame: Buffer | Promise<Buffer>, compressed: boolean): number;
  /** acceptsSharedCompression tells whether a frame compressed without context fits this socket. */
  readonly acceptsSharedCompression: boolean;
}

/** PublishedMessage prepares the frames of one message lazily, once each. */
class PublishedMessage {
  #binary: boolean;
  #payload: Buffer;
  #plain: Buffer | null = null;
  #compressed: Promise<Buffer> | null = null;
  #deflate: () => PerMessageDeflate;

  constructor(binary: boolean, payload: Buffer, deflate: () => PerMessageDeflate) {
    this.#binary = binary;
    this.#payload = payload;
    this.#deflate = deflate;
  }

  plain(): Buffer {
    return (this.#plain ??= encodeFrame(this.#binary ? Opcode.Binary : Opcode.Text, this.#payload));
  }

  compressed(): Promise<Buffer> {
    return (this.#compressed ??= this.#deflate()
      .deflate(this.#payload)
      .then((data) => encodeFrame(this.#binary ? Opcode.Binary : Opcode.Text, data, true)));
  }
}

/** Topics maps topic names to their subscribers. */
export class Topics<S extends Subscriber> {
  #topics = new Map<string, Set<S>>();
  #shared: PerMessageDeflate | null = null;
  /** relay, when set, hears every message published here, to pass it to other processes. */
  relay: ((topic: string, data: string | Uint8Array, compress: boolean) => void) | null = null;
  /** onTopic, when set, hears a topic gain its first subscriber (true) or lose its last (false). */
  onTopic: ((topic: string, subscribed: boolean) => void) | null = null;

  subscribe(topic: string, ws: S): void {
    let set = this.#topics.get(topic);
    if (set === undefined) {
      this.#topics.set(topic, (set = new Set()));
      this.onTopic?.(topic, true);
    }
    set.add(ws);
  }

  unsubscribe(topic: string, ws: S): void {
    const set = this.#topics.get(topic);
    if (set === undefined) return;
    set.delete(ws);
    if (set.size === 0 && this.#topics.delete(topic)) this.onTopic?.(topic, false);
  }

  isSubscribed(topic: string, ws: S): boolean {
    return this.#topics.get(topic)?.has(ws) ?? false;
  }

  subscriberCount(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }

  /** publish sends to every subscriber but `except`; it returns the bytes of payload sent, or 0 when no one listens. */
  publish(topic: string, data: string | Uint8Array, compress: boolean, except: S | null, relayed = false): number {
    if (!relayed) this.relay?.(topic, data, compress);
    const set = this.#topics.get(topic);
    if (set === undefined) return 0;
    const binary = typeof data !== "string";
    const payload = binary ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
    const message = new PublishedMessage(binary, payload, () => (this.#shared ??= sharedDeflate()));
    let sent = 0;
    for (const ws of set) {
      if (ws === except) continue;
      const useCompression = compress && ws.acceptsSharedCompression;
      ws.sendFrame(useCompression ? message.compressed() : message.plain(), useCompression);
      sent = payload.length;
    }
    return sent;
  }

  /** leaveAll removes a socket from every topic it joined. */
  leaveAll(ws: S, topics: Iterable<string>): void {
    for (const topic of topics) this.unsubscribe(topic, ws);
  }
}

function sharedDeflate(): PerMessageDeflate {
  return new PerMessageDeflate({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 15, clientMaxWindowBits: 15 });
}
