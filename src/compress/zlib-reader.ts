// zlibReader: a response body read through a brotli or gzip stream, with backpressure both ways
// and a flush after every source chunk, so a streamed body reaches the client as it is produced.
import { constants, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from "node:zlib";
import type { BodyReader } from "../http/exchange.js";

const DONE = { done: true, value: undefined } as const;

/**
 * zlibReader compresses what `source` yields. The pump writes one chunk, flushes it, and waits
 * for zlib's buffer to drain before reading the next, so memory stays within zlib's high-water
 * marks however large the body; the server pulls the coded bytes with read().
 */
export function zlibReader(source: ReadableStreamDefaultReader<Uint8Array>, encoding: "br" | "gzip"): BodyReader {
  const zlib: Gzip | BrotliCompress =
    encoding === "br" ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }) : createGzip({ level: 6 });
  const pump = async (): Promise<void> => {
    for (let c = await source.read(); c.done !== true; c = await source.read()) {
      if (zlib.destroyed) return;
      const more = zlib.write(c.value);
      await new Promise<void>((resolve) => zlib.flush(() => resolve()));
      if (!more && !zlib.destroyed) await new Promise<void>((resolve) => zlib.once("drain", resolve));
    }
    zlib.end();
  };
  pump().catch((err: unknown) => zlib.destroy(err as Error));
  const output = zlib[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    read: async () => {
      const r = await output.next();
      return r.done === true ? DONE : { done: false, value: r.value };
    },
    cancel: () => {
      void source.cancel().catch(() => {});
      zlib.destroy();
    },
  };
}
