// ServerWebSocket: one accepted WebSocket, in the shape of Bun's ServerWebSocket. It reads
// frames, answers pings, runs the close handshake (RFC 6455 §7), sends with backpressure, and
// belongs to pub/sub topics.
import type { Duplex } from "node:stream";
import { FrameParser } from "./frame-parser.js";
import { closePayload, encodeFrame, Opcode } from "./frame-writer.js";
import { PerMessageDeflate } from "./permessage-deflate.js";
import type { Topics } from "./pubsub.js";
import { Receiver, validUtf8 } from "./receiver.js";
import type { WebSocketConfig } from "./websocket-config.js";
import { WebSocketError } from "./ws-error.js";

/**
 * ReadyState holds the values of {@link ServerWebSocket.readyState}, as the browser's WebSocket
 * has them: CONNECTING 0, OPEN 1, CLOSING 2, CLOSED 3.
 *
 * @example
 * ```ts
 * import { ReadyState, serve } from "sockserve";
 *
 * await serve({
 *   port: 0,
 *   fetch: (request, server) => (server.upgrade(request) ? undefined : new Response("hi")),
 *   websocket: {
 *     message(ws, message) {
 *       if (ws.readyState === ReadyState.OPEN) ws.send(message);
 *     },
 *   },
 * });
 * ```
 */
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/**
 * ServerWebSocket is one accepted WebSocket (Bun's shape), handed to the `websocket` handlers:
 * send, close, ping, pub/sub topics, and the `data` given to `server.upgrade()`. Sockets are
 * made by sockserve, never by the app.
 *
 * @example
 * ```ts
 * import { serve, type ServerWebSocket } from "sockserve";
 *
 * function greet(ws: ServerWebSocket<{ name: string }>): void {
 *   ws.send(`hello ${ws.data.name}`);
 *   ws.subscribe("lobby");
 * }
 * await serve({
 *   port: 0,
 *   fetch: (request, server) => (server.upgrade(request, { data: { name: "ada" } }) ? undefined : new Response("hi")),
 *   websocket: { open: greet, message(ws, message) { ws.publish("lobby", message); } },
 * });
 * ```
 */
export class ServerWebSocket<T = undefined> {
  /** data is what the app passed to server.upgrade(req, { data }). */
  data: T;
  /** remoteAddress is the peer's IP address. */
  readonly remoteAddress: string;
  /** readyState is one of the {@link ReadyState} values. */
  readyState: number = ReadyState.OPEN;
  #socket: Duplex;
  #config: WebSocketConfig<ServerWebSocket<T>>;
  #topics: Topics<ServerWebSocket<T>>;
  #subscriptions = new Set<string>();
  #parser: FrameParser;
  #deflate: PerMessageDeflate | null;
  #chain: Promise<void> | null = null; // sends waiting on compression, kept in order
  #inbox: Promise<void> | null = null; // received messages waiting on inflation, kept in order
  #closeSent = false;
  #closeCode = 1006;
  #closeReason = "";
  #lastSeen = Date.now();
  #pingSent = false;
  #closeDeadline = Infinity;
  #wantDrain = false;
  #closedReported = false;
  #failed = false; // the parser hit a fault: everything after it is ignored
  #pending = 0; // payload bytes queued behind compression, counted against backpressureLimit

  /** @internal sockserve makes sockets when it accepts an upgrade. */
  constructor(socket: Duplex, config: WebSocketConfig<ServerWebSocket<T>>, topics: Topics<ServerWebSocket<T>>, data: T, remoteAddress: string, deflate: PerMessageDeflate | null) {
    this.#socket = socket;
    this.#config = config;
    this.#topics = topics;
    this.data = data;
    this.remoteAddress = remoteAddress;
    this.#deflate = deflate;
    const receiver = new Receiver({
      onMessage: (binary, payload, compressed) => this.#onMessage(binary, payload, compressed),
      onPing: (payload) => this.#onPing(payload),
      onPong: (payload) => this.#onPong(payload),
      onClose: (code, reason) => this.#onPeerClose(code, reason),
    }, config.maxPayloadLength);
    this.#parser = new FrameParser({ rsv1Allowed: deflate !== null, maxPayloadLength: config.maxPayloadLength }, receiver);
    socket.on("data", (chunk: Buffer) => this.#socketOnData(chunk));
    socket.on("drain", () => this.#socketOnDrain());
    socket.on("end", () => this.#socket.end());
    socket.on("close", () => this.#socketOnClose());
    socket.on("error", () => {});
  }

  /** @internal start delivers bytes that arrived with the handshake and calls open(). */
  start(head: Buffer | null): void {
    this.#config.open?.(this);
    if (head !== null && head.length > 0) this.#socketOnData(head);
  }

  // ---- sending ------------------------------------------------------------------------------

  /** send sends text (string) or binary data; it returns the bytes sent, -1 if queued under backpressure, 0 if dropped. */
  send(data: string | ArrayBufferView | ArrayBuffer, compress?: boolean): number {
    return typeof data === "string" ? this.sendText(data, compress) : this.sendBinary(data, compress);
  }

  /** sendText sends a text message; it returns as {@link ServerWebSocket.send} does. */
  sendText(data: string, compress?: boolean): number {
    return this.#sendMessage(Opcode.Text, Buffer.from(data), compress);
  }

  /** sendBinary sends a binary message; it returns as {@link ServerWebSocket.send} does. */
  sendBinary(data: ArrayBufferView | ArrayBuffer, compress?: boolean): number {
    const bytes = data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return this.#sendMessage(Opcode.Binary, bytes, compress);
  }

  /** ping sends a ping control frame (at most 125 bytes of data). */
  ping(data: string | Uint8Array = ""): number {
    return this.#sendControl(Opcode.Ping, typeof data === "string" ? Buffer.from(data) : data);
  }

  /** pong sends an unsolicited pong control frame (pings from the peer are answered automatically). */
  pong(data: string | Uint8Array = ""): number {
    return this.#sendControl(Opcode.Pong, typeof data === "string" ? Buffer.from(data) : data);
  }

  /** getBufferedAmount is how many bytes wait in the socket for the peer to read. */
  getBufferedAmount(): number {
    return this.#socket.writableLength;
  }

  #sendMessage(opcode: number, payload: Buffer, compress: boolean | undefined): number {
    if (this.readyState !== ReadyState.OPEN) return 0;
    const deflate = this.#deflate;
    if (deflate !== null && (compress ?? payload.length >= this.#config.compressThreshold)) {
      return this.sendFrame(deflate.deflate(payload).then((data) => encodeFrame(opcode, data, true)), true, payload.length);
    }
    return this.sendFrame(encodeFrame(opcode, payload), false, payload.length);
  }

  #sendControl(opcode: number, payload: Uint8Array): number {
    if (this.readyState !== ReadyState.OPEN) return 0;
    if (payload.byteLength > 125) throw new RangeError("control frame payloads are at most 125 bytes");
    return this.sendFrame(encodeFrame(opcode, payload), false, payload.byteLength);
  }

  /** @internal sendFrame writes a prepared frame, in order after any still being compressed (used by publish too). */
  sendFrame(frame: Buffer | Promise<Buffer>, _compressed: boolean, payloadLength = -1): number {
    if (this.readyState !== ReadyState.OPEN) return 0;
    if (this.#socket.writableLength + this.#pending > this.#config.backpressureLimit) {
      // Over the limit: drop the message (Bun's 0), or close if the app asked for that.
      if (this.#config.closeOnBackpressureLimit) this.close(1008, "backpressure limit");
      return 0;
    }
    if (frame instanceof Promise || this.#chain !== null) {
      const previous = this.#chain ?? Promise.resolve();
      const held = payloadLength >= 0 ? payloadLength : frame instanceof Promise ? 0 : frame.length;
      this.#pending += held;
      const next: Promise<void> = previous
        .then(() => frame)
        .then((bytes) => {
          this.#pending -= held;
          void this.#write(bytes);
        })
        .catch(() => this.terminate())
        .finally(() => {
          if (this.#chain === next) {
            this.#chain = null;
            // The app got -1: tell it when it may send again, even if the socket never needed a 'drain'.
            if (this.#wantDrain && !this.#socket.writableNeedDrain) this.#socketOnDrain();
          }
        });
      this.#chain = next;
      this.#wantDrain = true;
      return -1;
    }
    const ok = this.#write(frame);
    if (!ok) {
      this.#wantDrain = true;
      return -1;
    }
    return payloadLength >= 0 ? payloadLength : frame.length;
  }

  #write(frame: Buffer): boolean {
    if (this.#socket.destroyed) return false;
    return this.#socket.write(frame);
  }

  #socketOnDrain(): void {
    if (!this.#wantDrain || this.#chain !== null) return;
    this.#wantDrain = false;
    this.#config.drain?.(this);
  }

  // ---- pub/sub ------------------------------------------------------------------------------

  /** subscribe joins a topic, so server.publish and ws.publish reach this socket. */
  subscribe(topic: string): void {
    this.#subscriptions.add(topic);
    this.#topics.subscribe(topic, this);
  }

  /** unsubscribe leaves a topic. */
  unsubscribe(topic: string): void {
    this.#subscriptions.delete(topic);
    this.#topics.unsubscribe(topic, this);
  }

  /** isSubscribed tells whether this socket joined a topic. */
  isSubscribed(topic: string): boolean {
    return this.#subscriptions.has(topic);
  }

  /** subscriptions lists the topics this socket joined. */
  get subscriptions(): string[] {
    return [...this.#subscriptions];
  }

  /** publish sends to every subscriber of the topic except this socket. */
  publish(topic: string, data: string | ArrayBufferView | ArrayBuffer, compress?: boolean): number {
    const bytes = typeof data === "string" || data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return this.#topics.publish(topic, bytes, compress ?? this.#deflate !== null, this.#config.publishToSelf ? null : this);
  }

  /** @internal acceptsSharedCompression tells whether one compressed frame can be shared with this socket. */
  get acceptsSharedCompression(): boolean {
    const p = this.#deflate?.params;
    return p !== undefined && p.serverNoContextTakeover && p.serverMaxWindowBits === 15;
  }

  // ---- receiving ----------------------------------------------------------------------------

  #socketOnData(chunk: Buffer): void {
    this.#lastSeen = Date.now();
    this.#pingSent = false;
    if (this.readyState === ReadyState.CLOSED || this.#failed) return;
    try {
      this.#parser.execute(chunk);
    } catch (err) {
      if (!(err instanceof WebSocketError)) throw err;
      this.#fail(err);
    }
  }

  #onMessage(binary: boolean, payload: Buffer, compressed: boolean): void {
    if (this.readyState !== ReadyState.OPEN) return;
    if (!compressed && this.#inbox === null) return this.#deliver(binary, payload);
    const previous = this.#inbox ?? Promise.resolve();
    const inflated = compressed ? this.#deflate!.inflate(payload, this.#config.maxPayloadLength) : Promise.resolve(payload);
    const next: Promise<void> = previous
      .then(() => inflated)
      .then((data) => {
        if (!binary && !validUtf8(data)) throw new WebSocketError(1007, "WS_INVALID_UTF8", "text message is not valid UTF-8");
        this.#deliver(binary, data);
      })
      .catch((err: unknown) => (err instanceof WebSocketError ? this.#fail(err) : this.terminate()))
      .finally(() => {
        if (this.#inbox === next) this.#inbox = null;
      });
    this.#inbox = next;
  }

  #deliver(binary: boolean, payload: Buffer): void {
    if (this.readyState !== ReadyState.OPEN) return;
    const result = this.#config.message(this, binary ? payload : payload.toString("utf8"));
    if (this.#config.pauseWhileHandling && result instanceof Promise) {
      this.#socket.pause();
      void result.finally(() => this.#socket.resume()).catch(() => {});
    }
  }

  #onPing(payload: Buffer): void {
    // RFC 6455 §5.5.2: a Ping MUST be answered with a Pong carrying the same payload.
    if (this.readyState === ReadyState.OPEN) this.#sendControl(Opcode.Pong, payload);
    this.#config.ping?.(this, payload);
  }

  #onPong(payload: Buffer): void {
    this.#config.pong?.(this, payload);
  }

  // ---- closing ------------------------------------------------------------------------------

  /** close starts the close handshake; the socket closes when the peer answers, or after closeTimeout. */
  close(code = 1000, reason = ""): void {
    if (this.readyState >= ReadyState.CLOSING) return;
    this.#sendClose(code, reason);
  }

  /** terminate cuts the connection at once, without a close handshake. */
  terminate(): void {
    this.readyState = ReadyState.CLOSING;
    this.#socket.destroy();
  }

  #sendClose(code: number | undefined, reason: string): void {
    this.readyState = ReadyState.CLOSING;
    if (this.#closeSent) return;
    this.#closeSent = true;
    if (code !== undefined && this.#closeCode === 1006) {
      this.#closeCode = code;
      this.#closeReason = reason;
    }
    const frame = encodeFrame(Opcode.Close, closePayload(code, reason));
    const send = (): void => void this.#write(frame);
    if (this.#chain !== null) void this.#chain.then(send);
    else send();
    this.#closeDeadline = Date.now() + this.#config.closeTimeout;
  }

  #onPeerClose(code: number, reason: string): void {
    this.#closeCode = code;
    this.#closeReason = reason;
    // RFC 6455 §5.5.1: answer a Close with a Close (echoing the code), then close the TCP connection.
    this.#sendClose(code === 1005 ? undefined : code, reason);
    this.#socket.end();
  }

  /** #fail sends the close code for a protocol fault and closes (RFC 6455 §7.1.7). */
  #fail(err: WebSocketError): void {
    this.#failed = true;
    if (!this.#closeSent) this.#sendClose(err.closeCode, err.message.slice(0, 100));
    this.#closeCode = err.closeCode;
    this.#closeReason = err.message;
    this.#socket.end();
  }

  #socketOnClose(): void {
    this.readyState = ReadyState.CLOSED;
    this.#topics.leaveAll(this, this.#subscriptions);
    this.#deflate?.close();
    if (this.#closedReported) return;
    this.#closedReported = true;
    this.#config.close?.(this, this.#closeCode, this.#closeReason);
  }

  // ---- what the server's registry needs -----------------------------------------------------

  /** @internal */
  get idle(): boolean {
    return false;
  }

  /** @internal a WebSocket has no HTTP request in progress. */
  get pendingRequests(): number {
    return 0;
  }

  /** @internal sweep enforces the close handshake timeout, idleTimeout, and sends keep-alive pings. */
  sweep(now: number): void {
    if (this.readyState === ReadyState.CLOSED) return;
    if (now >= this.#closeDeadline) return void this.#socket.destroy();
    const idle = this.#config.idleTimeout;
    if (idle <= 0 || this.readyState !== ReadyState.OPEN) return;
    const silent = now - this.#lastSeen;
    // With sendPings, close only a peer that left a ping unanswered (the sweep may miss the idle/2 mark).
    if (silent >= idle && (!this.#config.sendPings || this.#pingSent)) return this.close(1001, "idle timeout");
    if (this.#config.sendPings && !this.#pingSent && silent >= idle / 2) {
      this.#lastSeen = Math.max(this.#lastSeen, now - idle / 2);
      this.#pingSent = true;
      this.ping();
    }
  }

  /** @internal shutdown closes with 1001 (going away), as server.stop() does. */
  shutdown(): void {
    this.close(1001, "server shutting down");
  }

  /** @internal */
  destroy(): void {
    this.terminate();
  }
}
