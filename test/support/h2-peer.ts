// A raw HTTP/2 client for tests: frames written with our frame writer and HPACK encoder, the
// server's frames read back with our parser and decoder, over any Duplex (a TCP socket, a TLS
// socket or an in-memory pair). Waits are event-driven and each has a timeout.
import type { Duplex } from "node:stream";
import { FrameParser } from "../../src/http2/frame-parser.js";
import { CLIENT_PREFACE, Flag, FrameType, type Frame, type Setting } from "../../src/http2/frame-types.js";
import { dataFrame, frame, goawayFrame, headersFrames, pingFrame, rstStreamFrame, SETTINGS_ACK, settingsFrame, windowUpdateFrame } from "../../src/http2/frame-writer.js";
import { HpackDecoder } from "../../src/http2/hpack/hpack-decoder.js";
import { HpackEncoder } from "../../src/http2/hpack/hpack-encoder.js";

/** Response is what arrived on one stream. */
export interface H2Response {
  status: number;
  headers: string[];
  body: Buffer;
  ended: boolean;
  reset: number | null;
  interim: number[];
}

/** H2Peer is one client connection. */
export class H2Peer {
  readonly socket: Duplex;
  readonly frames: Frame[] = [];
  readonly responses = new Map<number, H2Response>();
  goaway: { lastStreamId: number; errorCode: number; debug: string } | null = null;
  goaways: { lastStreamId: number; errorCode: number }[] = [];
  closed = false;
  encoder = new HpackEncoder();
  #decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 1 << 20, maxFieldCount: 1000 });
  #parser: FrameParser;
  #waiters: (() => void)[] = [];
  #chunks: Buffer[] = [];

  /** credit: give DATA's octets back to the server's windows as they arrive (default true). */
  credit: boolean;

  constructor(socket: Duplex, options: { autoAck?: boolean; credit?: boolean } = {}) {
    this.socket = socket;
    this.credit = options.credit !== false;
    this.#parser = new FrameParser({ onFrame: (f) => this.#onFrame(f, options.autoAck !== false), onStreamError: () => {} }, { server: false, maxFrameSize: 16_777_215 });
    socket.on("data", (chunk: Buffer) => {
      this.#chunks.push(chunk);
      try {
        this.#parser.execute(chunk);
      } catch {
        // a broken server frame: the test sees it in what did not arrive
      }
      this.#wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
    socket.on("end", () => {
      this.closed = true;
      this.#wake();
    });
    socket.on("error", () => {});
  }

  /** raw returns every byte received so far. */
  raw(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** start sends the preface and a SETTINGS frame. */
  start(settings: Setting[] = []): this {
    this.write(Buffer.concat([CLIENT_PREFACE, settingsFrame(settings)]));
    return this;
  }

  write(bytes: Uint8Array): boolean {
    return this.socket.write(bytes);
  }

  /** headers sends a request's field block (HEADERS + CONTINUATION as needed). */
  headers(id: number, fields: string[], endStream = true): void {
    this.write(headersFrames(id, this.encoder.encode(fields), endStream));
  }

  /** get sends a GET for `path`. */
  get(id: number, path: string, extra: string[] = [], method = "GET"): void {
    this.headers(id, [":method", method, ":scheme", "http", ":authority", "localhost", ":path", path, ...extra]);
  }

  data(id: number, bytes: Uint8Array | string, end = false): void {
    this.write(dataFrame(id, typeof bytes === "string" ? Buffer.from(bytes) : bytes, end));
  }

  rst(id: number, code = 0x8): void {
    this.write(rstStreamFrame(id, code));
  }

  ping(data = Buffer.from("pingpong")): void {
    this.write(pingFrame(data));
  }

  windowUpdate(id: number, increment: number): void {
    this.write(windowUpdateFrame(id, increment));
  }

  settings(settings: Setting[]): void {
    this.write(settingsFrame(settings));
  }

  goAway(): void {
    this.write(goawayFrame(0, 0));
  }

  /** rawFrame sends any frame. */
  rawFrame(type: number, flags: number, id: number, payload: Uint8Array = new Uint8Array(0)): void {
    this.write(frame(type, flags, id, payload));
  }

  /** until waits for `check` to hold, re-checked on every arrival; it rejects after `ms`. */
  until(check: () => boolean, ms = 5000, what = "condition"): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      const waiter = (): void => {
        if (!check()) return void this.#waiters.push(waiter);
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(waiter);
    });
  }

  /** response waits for stream `id` to end (or be reset). */
  async response(id: number, ms = 5000): Promise<H2Response> {
    await this.until(() => {
      const r = this.responses.get(id);
      return r !== undefined && (r.ended || r.reset !== null);
    }, ms, `the response on stream ${id}`);
    return this.responses.get(id)!;
  }

  /** goneAway waits for a GOAWAY, or the connection to close. */
  async goneAway(ms = 5000): Promise<void> {
    await this.until(() => this.goaway !== null || this.closed, ms, "GOAWAY");
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #stream(id: number): H2Response {
    let r = this.responses.get(id);
    if (r === undefined) this.responses.set(id, (r = { status: 0, headers: [], body: Buffer.alloc(0), ended: false, reset: null, interim: [] }));
    return r;
  }

  #onFrame(f: Frame, autoAck: boolean): void {
    this.frames.push(f);
    switch (f.type) {
      case FrameType.SETTINGS:
        if (!f.ack && autoAck) this.write(SETTINGS_ACK);
        return;
      case FrameType.HEADERS: {
        const fields = this.#decoder.decode(f.headerBlock).fields;
        const r = this.#stream(f.streamId);
        const status = Number(fields[1]);
        if (status >= 100 && status < 200) r.interim.push(status);
        else if (r.status === 0) {
          r.status = status;
          r.headers = fields.slice(2);
        }
        if (f.endStream) r.ended = true;
        return;
      }
      case FrameType.DATA: {
        const r = this.#stream(f.streamId);
        r.body = Buffer.concat([r.body, f.data]);
        if (f.endStream) r.ended = true;
        if (f.flowLength > 0 && this.credit) {
          this.write(windowUpdateFrame(0, f.flowLength));
          if (!f.endStream) this.write(windowUpdateFrame(f.streamId, f.flowLength));
        }
        return;
      }
      case FrameType.RST_STREAM:
        this.#stream(f.streamId).reset = f.errorCode;
        return;
      case FrameType.GOAWAY:
        this.goaway = { lastStreamId: f.lastStreamId, errorCode: f.errorCode, debug: Buffer.from(f.debugData).toString("latin1") };
        this.goaways.push({ lastStreamId: f.lastStreamId, errorCode: f.errorCode });
        return;
      case FrameType.PING:
        if (!f.ack && autoAck) this.write(pingFrame(f.opaqueData, true));
        return;
    }
  }
}

/** header reads one field of a response. */
export function header(r: H2Response, name: string): string | undefined {
  const i = r.headers.indexOf(name);
  return i >= 0 && i % 2 === 0 ? r.headers[i + 1] : undefined;
}

export { Flag, FrameType };
