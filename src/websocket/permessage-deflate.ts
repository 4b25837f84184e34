// permessage-deflate (RFC 7692): negotiation of the extension's parameters, and the compressor and
// decompressor of one connection. zlib jobs run through a shared limiter, since many zlib streams
// at once fragment Node's memory.
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from "node:zlib";
import { WebSocketError } from "./ws-error.js";

/** DeflateParams are the negotiated parameters (RFC 7692 §7.1). */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** DeflateOptions is what the server is willing to do. */
export interface DeflateOptions {
  /** serverNoContextTakeover resets our compressor per message (less memory, and one frame can serve many sockets). */
  serverNoContextTakeover: boolean;
  /** threshold: messages smaller than this are sent uncompressed. */
  threshold: number;
}

/** negotiateDeflate picks the first acceptable permessage-deflate offer and returns its params and the response value, or null. */
export function negotiateDeflate(header: string | null, options: DeflateOptions): { params: DeflateParams; response: string } | null {
  if (header === null) return null;
  for (const offer of parseExtensionOffers(header)) {
    if (offer.name !== "permessage-deflate") continue;
    const params = acceptOffer(offer.params, options);
    if (params === null) continue;
    const parts = ["permessage-deflate"];
    if (params.serverNoContextTakeover) parts.push("server_no_context_takeover");
    if (params.clientNoContextTakeover) parts.push("client_no_context_takeover");
    if (offer.params.has("server_max_window_bits")) parts.push(`server_max_window_bits=${params.serverMaxWindowBits}`);
    if (offer.params.has("client_max_window_bits") && params.clientMaxWindowBits < 15 && offer.params.get("client_max_window_bits") !== "8") parts.push(`client_max_window_bits=${params.clientMaxWindowBits}`);
    return { params, response: parts.join("; ") };
  }
  return null;
}

function acceptOffer(p: Map<string, string | true>, options: DeflateOptions): DeflateParams | null {
  const params: DeflateParams = { serverNoContextTakeover: options.serverNoContextTakeover, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  for (const [name, value] of p) {
    switch (name) {
      case "server_no_context_takeover":
      case "client_no_context_takeover":
        if (value !== true) return null;
        if (name === "server_no_context_takeover") params.serverNoContextTakeover = true;
        else params.clientNoContextTakeover = true;
        break;
      case "server_max_window_bits": {
        const bits = windowBits(value);
        // zlib cannot compress raw deflate with an 8-bit window, so such an offer is declined.
        if (bits === null || value === "8") return null;
        params.serverMaxWindowBits = bits;
        break;
      }
      case "client_max_window_bits":
        if (value !== true) {
          const bits = windowBits(value);
          if (bits === null) return null;
          params.clientMaxWindowBits = bits;
        }
        break;
      default:
        return null; // RFC 7692 §5.1: an unknown parameter makes the offer unacceptable
    }
  }
  return params;
}

function windowBits(value: string | true): number | null {
  if (value === true || !/^(8|9|1[0-5])$/.test(value)) return null;
  // An inflater with a 9-bit window reads 8-bit-window data; zlib has no 8-bit raw window.
  return Math.max(9, Number(value));
}

/** parseExtensionOffers reads Sec-WebSocket-Extensions (RFC 6455 §9.1). */
export function parseExtensionOffers(header: string): { name: string; params: Map<string, string | true> }[] {
  const offers: { name: string; params: Map<string, string | true> }[] = [];
  for (const item of header.split(",")) {
    const [name, ...rest] = item.split(";").map((s) => s.trim());
    if (name === undefined || name === "") continue;
    const params = new Map<string, string | true>();
    for (const p of rest) {
      if (p === "") continue;
      const eq = p.indexOf("=");
      const key = (eq === -1 ? p : p.slice(0, eq)).trim().toLowerCase();
      const value = eq === -1 ? true : p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      if (params.has(key)) params.set("__duplicate__", true); // a repeated parameter spoils the offer
      params.set(key, value);
    }
    offers.push({ name: name.toLowerCase(), params });
  }
  return offers;
}

/** Limiter runs at most `concurrency` async jobs at once. */
export class Limiter {
  #running = 0;
  #queue: (() => void)[] = [];
  constructor(readonly concurrency: number) {}

  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.#running++;
        job().then(resolve, reject).finally(() => {
          this.#running--;
          this.#queue.shift()?.();
        });
      };
      if (this.#running < this.concurrency) start();
      else this.#queue.push(start);
    });
  }
}

/** zlibLimiter bounds the zlib jobs of the whole process. */
export const zlibLimiter = new Limiter(10);

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** PerMessageDeflate compresses outgoing and decompresses incoming messages of one connection. */
export class PerMessageDeflate {
  readonly params: DeflateParams;
  #inflater: InflateRaw | null = null;
  #deflater: DeflateRaw | null = null;
  // One zlib stream must never have two jobs in flight: jobs of one connection run in order.
  #inTail: Promise<unknown> = Promise.resolve();
  #outTail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(params: DeflateParams) {
    this.params = params;
  }

  /** inflate decompresses a whole message, refusing output above `maxLength` with 1009. */
  inflate(data: Buffer, maxLength: number): Promise<Buffer> {
    const run = this.#inTail.then(() => zlibLimiter.run(() => this.#inflate(data, maxLength)));
    this.#inTail = run.catch(() => {});
    return run;
  }

  /** deflate compresses a whole message (RFC 7692 §7.2.1: the final empty block's 4 bytes are removed). */
  deflate(data: Uint8Array): Promise<Buffer> {
    const run = this.#outTail.then(() => zlibLimiter.run(() => this.#deflate(data)));
    this.#outTail = run.catch(() => {});
    return run;
  }

  close(): void {
    this.#closed = true;
    this.#inflater?.close();
    this.#deflater?.close();
    this.#inflater = this.#deflater = null;
  }

  #inflate(data: Buffer, maxLength: number): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new Error("closed"));
    const inflater = (this.#inflater ??= createInflateRaw({ windowBits: this.params.clientMaxWindowBits }));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let length = 0;
      let failed: Error | null = null;
      const onData = (chunk: Buffer): void => {
        length += chunk.length;
        if (length > maxLength && failed === null) {
          failed = new WebSocketError(1009, "WS_MESSAGE_TOO_BIG", "inflated message above maxPayloadLength");
        } else if (failed === null) chunks.push(chunk);
      };
      const onError = (err: Error): void => {
        cleanup();
        this.#inflater = null;
        reject(new WebSocketError(1007, "WS_INFLATE_FAILED", `inflate failed: ${err.message}`));
      };
      const cleanup = (): void => {
        inflater.off("data", onData);
        inflater.off("error", onError);
      };
      inflater.on("data", onData);
      inflater.on("error", onError);
      inflater.write(data);
      inflater.write(TRAILER);
      inflater.flush(() => {
        cleanup();
        if (failed !== null) {
          // Not reset() mid-write: the stream is spent, drop it.
          inflater.close();
          if (this.#inflater === inflater) this.#inflater = null;
          return reject(failed);
        }
        if (this.params.clientNoContextTakeover && !this.#closed) inflater.reset();
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
      });
    });
  }

  #deflate(data: Uint8Array): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new Error("closed"));
    const deflater = (this.#deflater ??= createDeflateRaw({ windowBits: Math.max(9, this.params.serverMaxWindowBits), memLevel: 8, level: constants.Z_DEFAULT_COMPRESSION }));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (chunk: Buffer): void => void chunks.push(chunk);
      deflater.on("data", onData);
      deflater.once("error", reject);
      deflater.write(data);
      deflater.flush(constants.Z_SYNC_FLUSH, () => {
        deflater.off("data", onData);
        deflater.off("error", reject);
        let out = Buffer.concat(chunks);
        if (out.length >= 4 && out.subarray(out.length - 4).equals(TRAILER)) out = out.subarray(0, out.length - 4);
        if (this.params.serverNoContextTakeover && !this.#closed) deflater.reset();
        resolve(out);
      });
    });
  }
}
