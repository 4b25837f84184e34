// Whole-body compression for the static handler (RFC 9110 §8.4.1): brotli or gzip, at the same
// settings for small files (once, kept in memory) and for listings (per response, off the loop).
import { promisify } from "node:util";
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync, type BrotliOptions, type ZlibOptions } from "node:zlib";

/** Coding is a content coding the static handler compresses with. */
export type Coding = "br" | "gzip";

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

function brotliOptions(size: number): BrotliOptions {
  return { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: size } };
}
const GZIP_OPTIONS: ZlibOptions = { level: 6 };

/** compressSync compresses bytes at once; for small files, whose result is kept. */
export function compressSync(bytes: Uint8Array, coding: Coding): Buffer {
  return coding === "br" ? brotliCompressSync(bytes, brotliOptions(bytes.length)) : gzipSync(bytes, GZIP_OPTIONS);
}

/** compressAsync compresses bytes on zlib's thread pool, so a large listing does not block the loop. */
export function compressAsync(bytes: Uint8Array, coding: Coding): Promise<Buffer> {
  return coding === "br" ? brotliAsync(bytes, brotliOptions(bytes.length)) : gzipAsync(bytes, GZIP_OPTIONS);
}
