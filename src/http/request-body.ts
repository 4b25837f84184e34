// RequestBody: the bytes of one request body, queued between the socket and the handler.
// The queue is bounded: above its high-water mark the connection stops reading the socket.

/** BodyHooks lets the connection react to how the handler consumes the body. */
export interface BodyHooks {
  /** onFirstRead fires on the first read: the moment to send 100 Continue (RFC 9110 §10.1.1). */
  onFirstRead(): void;
  /** onLow fires when the queue falls below the high-water mark, so reading may resume. */
  onLow(): void;
  /**
   * onConsumed, when given, is told of every `n` bytes that leave the queue (read, handed to a
   * waiting reader, or discarded): HTTP/2 credits its flow-control windows from it.
   */
  onConsumed?(n: number): void;
}

/** RequestBody queues body chunks and hands them out through read(). */
export class RequestBody {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #queued = 0;
  #ended = false;
  #error: Error | null = null;
  #discarding = false;
  #reading = false;
  #waiter: ((chunk: Uint8Array | null) => void) | null = null;
  #waiterFail: ((err: Error) => void) | null = null;
  #hooks: BodyHooks;
  /** #highWaterMark is how many unread bytes are held before the socket is paused (limits.bodyHighWaterMark). */
  #highWaterMark: number;
  /** received counts every body byte that arrived, read or not. */
  received = 0;

  constructor(hooks: BodyHooks, highWaterMark: number) {
    this.#hooks = hooks;
    this.#highWaterMark = highWaterMark;
  }

  /** ended tells whether the whole body has arrived. */
  get ended(): boolean {
    return this.#ended;
  }

  /** started tells whether the handler has begun to read. */
  get started(): boolean {
    return this.#reading;
  }

  /** push adds a chunk from the parser; it returns false when the queue is full and reading should pause. */
  push(chunk: Uint8Array): boolean {
    this.received += chunk.byteLength;
    if (this.#discarding || chunk.byteLength === 0) {
      if (chunk.byteLength > 0) this.#hooks.onConsumed?.(chunk.byteLength);
      return true;
    }
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#clearWaiter();
      this.#hooks.onConsumed?.(chunk.byteLength);
      waiter(chunk);
      return true;
    }
    this.#chunks.push(chunk);
    this.#queued += chunk.byteLength;
    return this.#queued < this.#highWaterMark;
  }

  /** end marks the body complete. */
  end(): void {
    this.#ended = true;
    const waiter = this.#waiter;
    if (waiter !== null && this.#queued === 0) {
      this.#clearWaiter();
      waiter(null);
    }
  }

  /** fail ends the body with an error that every pending and later read rejects with. */
  fail(err: Error): void {
    if (this.#ended || this.#error !== null) return;
    this.#error = err;
    const fail = this.#waiterFail;
    this.#clearWaiter();
    fail?.(err);
  }

  /** discard drops what is queued and everything still to come; the handler no longer wants it. */
  discard(): void {
    this.#discarding = true;
    if (this.#queued > 0) this.#hooks.onConsumed?.(this.#queued);
    this.#chunks = [];
    this.#head = 0;
    this.#queued = 0;
    this.#hooks.onLow();
  }

  /** read resolves with the next chunk, or null at the end of the body. */
  read(): Promise<Uint8Array | null> {
    if (!this.#reading) {
      this.#reading = true;
      this.#hooks.onFirstRead();
    }
    if (this.#queued > 0) return Promise.resolve(this.#shift());
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ended || this.#discarding) return Promise.resolve(null);
    if (this.#waiter !== null) return Promise.reject(new Error("RequestBody: concurrent reads"));
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#waiterFail = reject;
    });
  }

  #shift(): Uint8Array {
    const chunk = this.#chunks[this.#head];
    this.#chunks[this.#head++] = EMPTY;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    }
    const wasFull = this.#queued >= this.#highWaterMark;
    this.#queued -= chunk.byteLength;
    this.#hooks.onConsumed?.(chunk.byteLength);
    if (wasFull && this.#queued < this.#highWaterMark) this.#hooks.onLow();
    return chunk;
  }

  #clearWaiter(): void {
    this.#waiter = null;
    this.#waiterFail = null;
  }
}

const EMPTY = new Uint8Array(0);
