// BufferPool: read buffers of a few fixed sizes, handed back after the socket is done with them
// and lent again, so streaming a large file does not allocate (and fault in) fresh memory for
// every read, nor leave it all to the garbage collector.

/** MAX_IDLE_BYTES bounds the memory the pool keeps while nobody uses it. */
export const MAX_IDLE_BYTES = 16 * 1024 * 1024;

/** BufferPool lends buffers of the sizes it was made for and keeps returned ones, up to maxIdleBytes. */
export class BufferPool {
  #free = new Map<number, Buffer[]>();
  /** #idle holds the memory of every buffer in the pool, so one returned twice is kept once. */
  #idle = new Set<ArrayBufferLike>();
  #idleBytes = 0;
  readonly maxIdleBytes: number;

  constructor(sizes: readonly number[], maxIdleBytes = MAX_IDLE_BYTES) {
    for (const size of sizes) this.#free.set(size, []);
    this.maxIdleBytes = maxIdleBytes;
  }

  /** idleBytes is the memory held by buffers waiting in the pool. */
  get idleBytes(): number {
    return this.#idleBytes;
  }

  /** take lends a buffer of one of the pool's sizes: a returned one when there is one. */
  take(size: number): Buffer {
    const free = this.#free.get(size);
    if (free === undefined) throw new RangeError(`the pool has no buffers of ${size} bytes`);
    const buffer = free.pop();
    if (buffer === undefined) return Buffer.allocUnsafeSlow(size);
    this.#idle.delete(buffer.buffer);
    this.#idleBytes -= size;
    return buffer;
  }

  /**
   * give returns a buffer from take(), or a view of one starting at its first byte. Anything
   * else, a second return, and returns past maxIdleBytes are ignored (left to the collector).
   */
  give(chunk: Uint8Array): void {
    const memory = chunk.buffer;
    const size = memory.byteLength;
    const free = this.#free.get(size);
    if (free === undefined || chunk.byteOffset !== 0 || this.#idle.has(memory)) return;
    if (this.#idleBytes + size > this.maxIdleBytes) return;
    this.#idle.add(memory);
    this.#idleBytes += size;
    free.push(Buffer.from(memory, 0, size));
  }
}
