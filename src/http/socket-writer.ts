// SocketWriter: the output side of a connection. Strings written in the same tick are joined and
// leave in one socket write at the end of the tick, so pipelined answers share a packet; small
// byte bodies are copied behind a queued head, so a response is one syscall. A caller lending
// bytes learns (through `written`) when the socket is done with them, so it can reuse them.
import { Socket } from "node:net";
import type { Duplex } from "node:stream";

const OUT_FLUSH_SIZE = 64 * 1024; // queued strings past this size are sent at once
const JOIN_LIMIT = 16 * 1024; // bytes up to this size are copied behind the queued head

/** SocketWriter queues and sends a connection's output. */
export class SocketWriter {
  #socket: Duplex;
  #closed: () => boolean;
  #out = "";
  #encoding: BufferEncoding = "utf8";
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
   * write queues data; it returns false when the caller should wait for 'drain'. For bytes,
   * `written` runs once (and only on a net.Socket) when the socket no longer needs them.
   */
  write(data: string | Uint8Array, encoding: BufferEncoding = "utf8", written?: () => void): boolean {
    if (typeof data !== "string") return this.#writeBytes(data, this.#lends ? written : undefined);
    if (this.#out !== "" && encoding !== this.#encoding) this.flush();
    this.#encoding = encoding;
    this.#out += data;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      process.nextTick(flushLater, this);
    }
    // The answer must still tell a pump to wait when the socket is already full.
    if (this.#out.length < OUT_FLUSH_SIZE) return !this.#socket.writableNeedDrain;
    return this.flush();
  }

  /** flush sends the queued strings now. */
  flush(): boolean {
    this.#flushQueued = false;
    if (this.#out === "" || this.#closed()) return !this.#socket.writableNeedDrain;
    const out = this.#out;
    this.#out = "";
    return this.#socket.write(out, this.#encoding);
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

  /** #writeBytes sends queued strings and then bytes: in one buffer when small, else one corked writev. */
  #writeBytes(data: Uint8Array, written: (() => void) | undefined): boolean {
    const out = this.#out;
    const socket = this.#socket;
    this.#flushQueued = false;
    if (out === "" || this.#closed()) return socket.write(data, written);
    this.#out = "";
    if (data.byteLength <= JOIN_LIMIT) {
      const headLength = Buffer.byteLength(out, this.#encoding);
      const joined = Buffer.allocUnsafe(headLength + data.byteLength);
      joined.write(out, 0, this.#encoding);
      joined.set(data, headLength);
      written?.(); // copied: the caller's bytes are free
      return socket.write(joined);
    }
    socket.cork();
    socket.write(out, this.#encoding);
    const ok = socket.write(data, written);
    socket.uncork();
    return ok;
  }
}

function flushLater(writer: SocketWriter): void {
  writer.flushIfQueued();
}
