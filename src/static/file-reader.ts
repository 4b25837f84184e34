// Body readers for files: a byte range read in large chunks, a sequence of parts (for
// multipart/byteranges), and a compressing wrapper. Each opens nothing until first read.
import { close, open, read } from "node:fs";
import { Readable } from "node:stream";
import { constants, createBrotliCompress, createGzip, type Gzip, type BrotliCompress } from "node:zlib";
import type { BodyReader } from "../http/exchange.js";
import { BufferPool } from "./buffer-pool.js";

type Chunk = { done: boolean; value?: Uint8Array | undefined };

/**
 * FILE_CHUNK_SIZE is how much one read takes from a file at first: small enough that a thousand
 * stalled readers, each holding one chunk, stay near 128 MB. A reader that has already taken
 * more than LARGE_AFTER bytes (more than loopback's socket buffers hold, so its client is
 * reading) moves to LARGE_CHUNK_SIZE reads, for fewer syscalls on big files.
 */
export const FILE_CHUNK_SIZE = 128 * 1024;
const LARGE_CHUNK_SIZE = 1024 * 1024;
const LARGE_AFTER = 4 * 1024 * 1024;

const DONE: Chunk = { done: true, value: undefined };

/** readBuffers lends the reads' buffers; the server hands each back once the socket has sent it. */
const readBuffers = new BufferPool([FILE_CHUNK_SIZE, LARGE_CHUNK_SIZE]);

/**
 * FileRangeReader reads bytes [start, end] (inclusive) of a file. Its chunks come from a shared
 * pool; recycle() gives one back, and must be called only when nothing will read it again.
 */
export class FileRangeReader implements BodyReader {
  #path: string;
  #position: number;
  #remaining: number;
  #read = 0;
  #fd = -1;
  #closed = false;

  constructor(path: string, start: number, end: number) {
    this.#path = path;
    this.#position = start;
    this.#remaining = end - start + 1;
  }

  async read(): Promise<Chunk> {
    if (this.#closed || this.#remaining <= 0) {
      this.#close();
      return DONE;
    }
    if (this.#fd === -1) this.#fd = await new Promise<number>((resolve, reject) => open(this.#path, "r", (err, fd) => (err ? reject(err) : resolve(fd))));
    const size = this.#read > LARGE_AFTER ? LARGE_CHUNK_SIZE : FILE_CHUNK_SIZE;
    // A short tail gets a buffer of its own size, so a small range does not hold a pooled one.
    const buffer = this.#remaining < FILE_CHUNK_SIZE ? Buffer.allocUnsafe(this.#remaining) : readBuffers.take(size);
    const want = Math.min(buffer.length, this.#remaining);
    const n = await new Promise<number>((resolve, reject) =>
      read(this.#fd, buffer, 0, want, this.#position, (err, bytes) => (err ? reject(err) : resolve(bytes))),
    );
    if (n === 0) {
      // The file shrank under us: the promised length cannot be kept, so fail rather than pad.
      this.#close();
      throw new Error(`file ${this.#path} ended early`);
    }
    this.#position += n;
    this.#remaining -= n;
    this.#read += n;
    return { done: false, value: n === buffer.length ? buffer : buffer.subarray(0, n) };
  }

  cancel(): void {
    this.#close();
  }

  recycle(chunk: Uint8Array): void {
    readBuffers.give(chunk);
  }

  #close(): void {
    this.#closed = true;
    if (this.#fd !== -1) {
      close(this.#fd, () => {});
      this.#fd = -1;
    }
  }
}

/** SequenceReader sends fixed byte parts and readers one after another. */
export class SequenceReader implements BodyReader {
  #parts: (Uint8Array | (() => BodyReader))[];
  #current: BodyReader | null = null;

  constructor(parts: (Uint8Array | (() => BodyReader))[]) {
    this.#parts = parts;
  }

  async read(): Promise<Chunk> {
    for (;;) {
      if (this.#current !== null) {
        const chunk = await this.#current.read();
        if (!chunk.done) return chunk;
        this.#current = null;
      }
      const next = this.#parts.shift();
      if (next === undefined) return DONE;
      if (next instanceof Uint8Array) return { done: false, value: next };
      this.#current = next();
    }
  }

  cancel(): void {
    void this.#current?.cancel();
    this.#parts = [];
  }
}

/** compressReader wraps a reader in a brotli or gzip stream; on-the-fly settings favour speed. */
export function compressReader(source: BodyReader, encoding: "br" | "gzip"): BodyReader {
  const zlib: Gzip | BrotliCompress =
    encoding === "br"
      ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })
      : createGzip({ level: 6 });
  const input = Readable.from(
    (async function* () {
      for (let c = await source.read(); !c.done; c = await source.read()) if (c.value !== undefined) yield c.value;
    })(),
  );
  input.on("error", (err) => zlib.destroy(err));
  input.pipe(zlib);
  const iterator = zlib[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    read: async () => {
      const r = await iterator.next();
      return r.done === true ? DONE : { done: false, value: r.value };
    },
    cancel: () => {
      void source.cancel();
      input.destroy();
      zlib.destroy();
    },
  };
}
