// ChunkedDecoder: the chunked transfer coding of RFC 9112 §7.1, as an incremental state machine.
// Chunk sizes are strict hex, extensions are validated and bounded, trailers are parsed and bounded.
import { HEX, TOKEN } from "./chars.js";
import { parseFieldLine } from "./field-line.js";
import type { Limits } from "./limits.js";
import { ProtocolError } from "./protocol-error.js";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const DQUOTE = 0x22;
const MAX_SIZE_DIGITS = 13; // 16^13 = 2^52: any larger chunk is refused before it can overflow

const enum State {
  Size,
  SizeBws, // whitespace after the size, allowed only before ";"
  ExtBeforeName,
  ExtName,
  ExtAfterName,
  ExtBeforeValue,
  ExtValue,
  ExtQuoted,
  ExtQuotedPair,
  ExtAfterValue,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailer,
  Done,
}

/** ChunkedDecoder turns chunked bytes into body bytes; `trailers` holds the trailer fields once `done`. */
export class ChunkedDecoder {
  #limits: Limits;
  #state = State.Size;
  #digits = 0;
  #chunkSize = 0;
  #extBytes = 0;
  #bodyBytes = 0;
  #trailerBytes = 0;
  #line: number[] = [];
  trailers: string[] = [];

  constructor(limits: Limits) {
    this.#limits = limits;
  }

  get done(): boolean {
    return this.#state === State.Done;
  }

  /** decode consumes buf[start, end), passing body bytes to onData, and returns where it stopped (end, or just past the last CRLF). */
  decode(buf: Uint8Array, start: number, end: number, onData: (chunk: Uint8Array) => void): number {
    let i = start;
    while (i < end) {
      const state = this.#state;
      if (state === State.Data) {
        const n = Math.min(this.#chunkSize, end - i);
        onData(buf.subarray(i, i + n));
        i += n;
        this.#chunkSize -= n;
        if (this.#chunkSize === 0) this.#state = State.DataCr;
        continue;
      }
      if (state === State.Done) return i;
      if (state === State.Trailer) {
        i = this.#trailerByte(buf, i);
        continue;
      }
      this.#sizeLineByte(buf[i]);
      i++;
    }
    return i;
  }

  #sizeLineByte(b: number): void {
    switch (this.#state) {
      case State.Size:
        return this.#sizeDigit(b);
      case State.SizeBws:
        if (b === SP || b === HTAB) return;
        if (b === 0x3b) return this.#ext(State.ExtBeforeName);
        return fail("whitespace after chunk-size must lead to a chunk extension");
      case State.SizeLf:
        if (b !== LF) return fail("chunk-size line must end in CRLF");
        return this.#endSizeLine();
      case State.DataCr:
        if (b !== CR) return fail("chunk data must end in CRLF");
        this.#state = State.DataLf;
        return;
      case State.DataLf:
        if (b !== LF) return fail("chunk data must end in CRLF");
        this.#state = State.Size;
        this.#digits = 0;
        this.#chunkSize = 0;
        return;
      default:
        return this.#extByte(b);
    }
  }

  #sizeDigit(b: number): void {
    const v = HEX[b];
    if (v !== 255) {
      if (++this.#digits > MAX_SIZE_DIGITS) fail("chunk-size too large");
      this.#chunkSize = this.#chunkSize * 16 + v;
      return;
    }
    if (this.#digits === 0) return fail("chunk-size must start with a hex digit");
    if (b === CR) this.#state = State.SizeLf;
    else if (b === 0x3b) this.#ext(State.ExtBeforeName);
    else if (b === SP || b === HTAB) this.#state = State.SizeBws;
    else fail("invalid character in chunk-size");
  }

  #ext(next: State): void {
    if (++this.#extBytes > this.#limits.maxChunkExtensionSize) {
      throw new ProtocolError(400, "HTTP_CHUNK_EXTENSION_TOO_LARGE", "chunk extension exceeds maxChunkExtensionSize");
    }
    this.#state = next;
  }

  /** #extByte walks `*( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )` (RFC 9112 §7.1.1). */
  #extByte(b: number): void {
    const ws = b === SP || b === HTAB;
    switch (this.#state) {
      case State.ExtBeforeName:
        if (ws) return this.#ext(State.ExtBeforeName);
        if (TOKEN[b] === 1) return this.#ext(State.ExtName);
        return fail("chunk extension needs a name");
      case State.ExtName:
      case State.ExtAfterName:
        if (TOKEN[b] === 1 && this.#state === State.ExtName) return this.#ext(State.ExtName);
        if (ws) return this.#ext(State.ExtAfterName);
        if (b === 0x3d) return this.#ext(State.ExtBeforeValue);
        return this.#extEnd(b);
      case State.ExtBeforeValue:
        if (ws) return this.#ext(State.ExtBeforeValue);
        if (b === DQUOTE) return this.#ext(State.ExtQuoted);
        if (TOKEN[b] === 1) return this.#ext(State.ExtValue);
        return fail("chunk extension needs a value after =");
      case State.ExtValue:
      case State.ExtAfterValue:
        if (TOKEN[b] === 1 && this.#state === State.ExtValue) return this.#ext(State.ExtValue);
        if (ws) return this.#ext(State.ExtAfterValue);
        return this.#extEnd(b);
      case State.ExtQuoted:
        if (b === DQUOTE) return this.#ext(State.ExtAfterValue);
        if (b === 0x5c) return this.#ext(State.ExtQuotedPair);
        if (b === HTAB || (b >= 0x20 && b !== 0x7f)) return this.#ext(State.ExtQuoted);
        return fail("invalid character in quoted chunk extension");
      case State.ExtQuotedPair:
        if (b === HTAB || (b >= 0x20 && b !== 0x7f)) return this.#ext(State.ExtQuoted);
        return fail("invalid quoted-pair in chunk extension");
    }
  }

  #extEnd(b: number): void {
    if (b === 0x3b) return this.#ext(State.ExtBeforeName);
    if (b === CR) {
      this.#state = State.SizeLf;
      return;
    }
    fail("invalid character in chunk extension");
  }

  #endSizeLine(): void {
    this.#extBytes = 0;
    if (this.#chunkSize === 0) {
      this.#state = State.Trailer;
      return;
    }
    this.#bodyBytes += this.#chunkSize;
    if (this.#bodyBytes > this.#limits.maxBodySize) {
      throw new ProtocolError(413, "HTTP_BODY_TOO_LARGE", "request body exceeds maxBodySize");
    }
    this.#state = State.Data;
  }

  /** #trailerByte collects one trailer line; the empty line ends the message (RFC 9112 §7.1.2). */
  #trailerByte(buf: Uint8Array, i: number): number {
    const b = buf[i];
    if (++this.#trailerBytes > this.#limits.maxTrailerSize) {
      throw new ProtocolError(431, "HTTP_TRAILERS_TOO_LARGE", "trailer section exceeds maxTrailerSize");
    }
    const line = this.#line;
    if (b !== LF) {
      line.push(b);
      return i + 1;
    }
    if (line.length === 0 || line[line.length - 1] !== CR) fail("trailer line must end in CRLF");
    if (line.length === 1) {
      this.#state = State.Done;
    } else {
      const bytes = Uint8Array.from(line);
      parseFieldLine(bytes, 0, bytes.length - 1, this.trailers);
      if (this.trailers.length > this.#limits.maxHeaderCount * 2) {
        throw new ProtocolError(431, "HTTP_TRAILERS_TOO_LARGE", "too many trailer fields");
      }
    }
    this.#line = [];
    return i + 1;
  }
}

function fail(message: string): never {
  throw new ProtocolError(400, "HTTP_INVALID_CHUNK", message);
}
