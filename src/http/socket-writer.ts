// SocketWriter: the output side of a connection. Small writes made in the same tick are joined
// and leave in one socket write at the end of the tick (so a response's head and body, and
// pipelined answers, share one packet, and over TLS one record where they fit); large ones go out
// corked behind what is queued. Text (an ASCII head with a string body) is joined as a JS string
// and encoded once per write: measured, one Buffer per small response costs a quarter of the
// pipelined rate. A caller lending bytes learns (through `written`) when the socket is done with them.
import { Socket } from "node:net";
import type { Duplex } from "node:stream";

const OUT_FLUSH_SIZE = 64 * 1024; // queued bytes past this size are sent at once
const JOIN_LIMIT = 16 * 1024; // writes up to this size are queued (lent ones copied) and joined

/** SocketWriter queues and sends a connection's output. */
export class SocketWriter {
  #socket: Duplex;
  #closed: () => boolean;
  #queue: Uint8Array[] = [];
  #queued = 0; // bytes in #queue
  #text = ""; // UTF-8 text written after the last queued bytes
  #flushQueued = false;
  /**
   * #lends is true for a net.Socket (TCP or TLS): its write callback runs once the bytes are in
   * the kernel or encrypted. Another Duplex may still hold a chunk after its callback.
   */
  #lends: boolean;

  constructor(socket: Duplex, closed: () => boolean) {
    this.#socket = socket;
    this.#closed = closed;
    this.#lends = socket instanceof Socket;
  }

  /**
   * write queues bytes; it returns false when the caller should wait for 'drain'. When `owned`,
   * the writer may keep `data` as it is (the caller made it for this write). Otherwise `written`
   * runs once (and only on a net.Socket) when the socket no longer needs the bytes.
   */
  write(data: Uint8Array, written?: () => void, owned = false): boolean {
    if (!this.#lends) written = undefined; // another Duplex may keep the chunk: never hand it back
    if (data.byteLength > JOIN_LIMIT) return this.#writeLarge(data, written);
    this.#settleText(); // what came before goes first
    if (owned || written === undefined) this.#queue.push(data);
    else {
      this.#queue.push(Buffer.from(data)); // copied: the caller's bytes are free at once
      written();
    }
    this.#queued += data.byteLength;
    return this.#queuedNow();
  }

  /**
   * writeUnjoined sends `data` as it is (never copied or joined), after what is queued; `written`
   * as for write(). For large pieces of a body, and for lent ones.
   */
  writeUnjoined(data: Uint8Array, written?: () => void): boolean {
    return this.#writeLarge(data, this.#lends ? written : undefined);
  }

  /** writeUtf8 queues text to be sent UTF-8 encoded: an ASCII response head, with a string body. */
  writeUtf8(text: string): boolean {
    this.#text += text;
    return this.#queuedNow();
  }

  /** writeLatin1 queues a string whose chars are octets (a head that may hold obs-text) as those octets. */
  writeLatin1(text: string): boolean {
    return this.write(Buffer.from(text, "latin1"), undefined, true);
  }

  /** #queuedNow flushes a long queue at once, else at the end of the tick. */
  #queuedNow(): boolean {
    if (this.#queued + this.#text.length >= OUT_FLUSH_SIZE) return this.flush();
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      process.nextTick(flushLater, this);
    }
    // The answer must still tell a pump to wait when the socket is already full.
    return !this.#socket.writableNeedDrain;
  }

  #settleText(): void {
    if (this.#text === "") return;
    const bytes = Buffer.from(this.#text, "utf8");
    this.#text = "";
    this.#queue.push(bytes);
    this.#queued += bytes.byteLength;
  }

  /** flush sends the queued bytes now, in one write. */
  flush(): boolean {
    this.#flushQueued = false;
    if (this.#closed() || (this.#queue.length === 0 && this.#text === "")) {
      this.#clear();
      return !this.#socket.writableNeedDrain;
    }
    if (this.#queue.length === 0) {
      const text = this.#text;
      this.#text = "";
      return this.#socket.write(text, "utf8");
    }
    this.#settleText();
    const queue = this.#queue;
    const out = queue.length === 1 ? queue[0] : Buffer.concat(queue, this.#queued);
    this.#clear();
    return this.#socket.write(out);
  }

  /** flushIfQueued is the end-of-tick flush. */
  flushIfQueued(): void {
    if (this.#flushQueued) this.flush();
  }

  /** waitDrain resolves when the socket drains or closes. */
  waitDrain(): Promise<void> {
    const socket = this.#socket;
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off("drain", done);
        socket.off("close", done);
        resolve();
      };
      socket.on("drain", done);
      socket.on("close", done);
    });
  }

  /** #writeLarge sends what is queued, then `data` without copying, in one corked writev. */
  #writeLarge(data: Uint8Array, written: (() => void) | undefined): boolean {
    const socket = this.#socket;
    if ((this.#queue.length === 0 && this.#text === "") || this.#closed()) {
      this.#flushQueued = false;
      this.#clear();
      return socket.write(data, written);
    }
    socket.cork();
    this.flush();
    const ok = socket.write(data, written);
    socket.uncork();
    return ok;
  }

  #clear(): void {
    this.#queue = [];
    this.#queued = 0;
    this.#text = "";
  }
}

function flushLater(writer: SocketWriter): void {
  writer.flushIfQueued();
}
