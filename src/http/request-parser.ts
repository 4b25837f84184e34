// RequestParser: an incremental HTTP/1.1 request parser (RFC 9112). It is fed buffers, calls its
// handler with the head, body bytes and completion, and never holds more than the limits allow.
import { TOKEN } from "./chars.js";
import { ChunkedDecoder } from "./chunked-decoder.js";
import type { Limits } from "./limits.js";
import { ProtocolError } from "./protocol-error.js";
import { LineBuffer } from "./line-buffer.js";
import { HeadBuilder, checkRequestLinePrefix, type Http1Head } from "./request-head.js";

const CR = 0x0d;
const LF = 0x0a;

/** ParserHandler receives what the parser finds, in order, for each message. */
export interface ParserHandler {
  onHead(head: Http1Head): void;
  onBody(chunk: Uint8Array): void;
  /** onComplete is called once the whole message (trailers included) has been read. */
  onComplete(trailers: string[]): void;
}

const enum State {
  Start, // before the request-line; empty lines are skipped (RFC 9112 §2.2)
  Head,
  BodyLength,
  BodyChunked,
  Complete, // one message is done; the caller must reset() before feeding the next
  Upgraded, // a CONNECT head: the bytes after it are not HTTP
}

/** RequestParser parses one message at a time; after each it stops and waits for reset(). */
export class RequestParser {
  #limits: Limits;
  #handler: ParserHandler;
  #state = State.Start;
  #builder: HeadBuilder;
  #line = new LineBuffer(); // a line split across buffers
  #headBytes = 0;
  #remaining = 0;
  #chunked: ChunkedDecoder | null = null;
  #onData: (chunk: Uint8Array) => void;

  /** scheme is the connection's: "https" over TLS. */
  constructor(limits: Limits, handler: ParserHandler, scheme = "http") {
    this.#limits = limits;
    this.#handler = handler;
    this.#builder = new HeadBuilder(limits, scheme);
    this.#onData = (chunk) => this.#handler.onBody(chunk);
  }

  /** started tells whether any byte of the current message has arrived. */
  get started(): boolean {
    return this.#state !== State.Start || this.#headBytes > 0;
  }

  /** complete tells whether the current message has been fully read. */
  get complete(): boolean {
    return this.#state === State.Complete;
  }

  /** upgraded tells whether the last head was CONNECT; the rest of the stream is not HTTP. */
  get upgraded(): boolean {
    return this.#state === State.Upgraded;
  }

  /** reset readies the parser for the next message on the same connection. */
  reset(): void {
    this.#state = State.Start;
    this.#line.clear();
    this.#headBytes = 0;
    this.#remaining = 0;
    this.#chunked = null;
  }

  /**
   * execute consumes data from `start` and returns the index where it stopped: the end of the data,
   * or just past the current message once it is complete. It throws ProtocolError on bad input,
   * after which the parser must be thrown away.
   */
  execute(data: Buffer, start = 0): number {
    let i = start;
    const end = data.length;
    while (i < end) {
      switch (this.#state) {
        case State.Start:
        case State.Head:
          i = this.#headBytesFrom(data, i, end);
          break;
        case State.BodyLength: {
          const n = Math.min(this.#remaining, end - i);
          this.#remaining -= n;
          this.#handler.onBody(data.subarray(i, i + n));
          i += n;
          if (this.#remaining === 0) this.#finish([]);
          break;
        }
        case State.BodyChunked: {
          const decoder = this.#chunked!;
          i = decoder.decode(data, i, end, this.#onData);
          if (decoder.done) this.#finish(decoder.trailers);
          break;
        }
        default:
          return i;
      }
    }
    return i;
  }

  /** #headBytesFrom feeds whole lines to the head builder; a partial line is kept for the next buffer. */
  #headBytesFrom(data: Buffer, start: number, end: number): number {
    let i = start;
    while (i < end && (this.#state === State.Start || this.#state === State.Head)) {
      const lf = data.indexOf(LF, i);
      if (lf === -1 || lf >= end) {
        this.#keepPartial(data, i, end);
        return end;
      }
      this.#countHeadBytes(lf + 1 - i);
      if (this.#line.length > 0) {
        this.#line.append(data.subarray(i, lf + 1));
        const line = this.#line.view();
        this.#line.clear();
        this.#onLine(line, 0, line.length - 1);
      } else {
        this.#onLine(data, i, lf);
      }
      i = lf + 1;
    }
    return i;
  }

  /** #keepPartial holds the start of a line, and refuses it at once if it can already be seen to be bad. */
  #keepPartial(data: Buffer, start: number, end: number): void {
    if (start === end) return;
    this.#countHeadBytes(end - start);
    const from = this.#line.length;
    this.#line.append(data.subarray(start, end));
    const line = this.#line.view();
    if (this.#state === State.Head) {
      if (line[0] === 0x20 || line[0] === 0x09) {
        throw new ProtocolError(400, "HTTP_OBS_FOLD", "obsolete line folding in header section");
      }
    } else {
      // Check the request-line as far as it has come, up to a CR, in the order a whole line is checked.
      const cr = line.indexOf(CR);
      const lineEnd = cr === -1 ? line.length : cr;
      if (lineEnd > this.#limits.maxRequestLineSize || this.#headBytes > this.#limits.maxHeaderSize) {
        throw this.#lineTooLong(line, 0, lineEnd);
      }
      checkRequestLinePrefix(line, 0, lineEnd);
    }
    // A CR must be followed by LF (RFC 9112 §2.2): say so now rather than waiting for a timeout.
    const cr = line.indexOf(CR, Math.max(0, from - 1));
    if (cr !== -1 && cr < line.length - 1) throw new ProtocolError(400, "HTTP_BARE_CR", "CR not followed by LF");
  }

  /** #countHeadBytes enforces maxHeaderSize on the field lines; the request-line's own check is in #lineTooLong. */
  #countHeadBytes(n: number): void {
    this.#headBytes += n;
    if (this.#headBytes > this.#limits.maxHeaderSize && this.#state !== State.Start) {
      throw new ProtocolError(431, "HTTP_HEADERS_TOO_LARGE", "header section exceeds maxHeaderSize");
    }
  }

  /**
   * #lineTooLong names what makes a request-line too long, judging only its first
   * maxRequestLineSize bytes so a split line gets the same answer as a whole one: a method that
   * fills them all is 501 ("longer than any that it implements", RFC 9112 §3); a malformed start
   * is 400; otherwise it is the target: 414 (RFC 9112 §3).
   */
  #lineTooLong(buf: Uint8Array, start: number, end: number): ProtocolError {
    const max = this.#limits.maxRequestLineSize;
    const limit = Math.min(end, start + max);
    let i = start;
    while (i < limit && TOKEN[buf[i]] === 1) i++;
    if (i - start === max) return new ProtocolError(501, "HTTP_METHOD_TOO_LONG", "method exceeds maxRequestLineSize");
    checkRequestLinePrefix(buf, start, limit);
    return new ProtocolError(414, "HTTP_REQUEST_LINE_TOO_LONG", "request-line exceeds maxRequestLineSize");
  }

  /** #onLine handles one line; buf[lf] is its LF, which must follow a CR (RFC 9112 §2.2). */
  #onLine(buf: Buffer, start: number, lf: number): void {
    if (lf === start || buf[lf - 1] !== CR) {
      const cr = buf.indexOf(CR, start);
      if (this.#state === State.Start) checkRequestLinePrefix(buf, start, cr !== -1 && cr < lf ? cr : lf);
      throw new ProtocolError(400, "HTTP_BARE_LF", "line ends in LF without CR");
    }
    const end = lf - 1;
    const firstCr = buf.indexOf(CR, start);
    if (firstCr !== end) {
      // A bare CR: whatever is wrong before it is found first, as it would be on a split line.
      if (this.#state === State.Start && firstCr > start) checkRequestLinePrefix(buf, start, firstCr);
      throw new ProtocolError(400, "HTTP_BARE_CR", "CR not followed by LF");
    }
    if (this.#state === State.Start) {
      if (end - start > this.#limits.maxRequestLineSize || this.#headBytes > this.#limits.maxHeaderSize) {
        throw this.#lineTooLong(buf, start, end);
      }
      if (end === start) return; // an empty line before the request-line is skipped
      this.#builder.requestLine(buf, start, end);
      this.#state = State.Head;
      return;
    }
    if (end === start) return this.#headDone();
    this.#builder.fieldLine(buf, start, end);
  }

  #headDone(): void {
    const head = this.#builder.finish();
    if (head.method === "CONNECT") {
      // After CONNECT the stream would become a tunnel (RFC 9110 §9.3.6); the engine answers and closes.
      this.#state = State.Upgraded;
      this.#handler.onHead(head);
      this.#handler.onComplete([]);
      return;
    }
    if (head.chunked) {
      this.#chunked = new ChunkedDecoder(this.#limits);
      this.#state = State.BodyChunked;
    } else if (head.contentLength > 0) {
      this.#remaining = head.contentLength;
      this.#state = State.BodyLength;
    } else {
      this.#state = State.Complete;
    }
    this.#handler.onHead(head);
    if (this.#state === State.Complete) this.#handler.onComplete([]);
  }

  #finish(trailers: string[]): void {
    this.#state = State.Complete;
    this.#handler.onComplete(trailers);
  }
}
