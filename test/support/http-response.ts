// Splits raw HTTP/1.x response bytes into messages for black-box assertions.
// Framing follows RFC 9112 section 6.3 from the client's side: no body for
// HEAD, 1xx, 204 and 304; chunked when Transfer-Encoding says so; then
// Content-Length; otherwise the body runs until the server closes.

/** ParsedResponse is one response message, interim (1xx) or final. */
export class ParsedResponse {
  constructor(
    readonly statusLine: string,
    readonly version: string,
    readonly status: number,
    readonly reason: string,
    /** headers holds the field lines in order, names lower-cased. */
    readonly headers: Array<[string, string]>,
    readonly body: Buffer,
    /** chunked is true when the body came with chunked framing. */
    readonly chunked: boolean,
    /** trailers holds the chunked trailer field lines, names lower-cased. */
    readonly trailers: Array<[string, string]>,
  ) {}

  /** get joins every field line named `name` with ", ", or gives undefined. */
  get(name: string): string | undefined {
    const values = this.getAll(name);
    return values.length === 0 ? undefined : values.join(", ");
  }

  /** getAll gives the value of each field line named `name`. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    return this.headers.filter(([n]) => n === key).map(([, v]) => v);
  }

  has(name: string): boolean {
    return this.getAll(name).length > 0;
  }

  /** text is the body decoded as UTF-8. */
  get text(): string {
    return this.body.toString("utf8");
  }

  get interim(): boolean {
    return this.status >= 100 && this.status < 200;
  }
}

export interface ParseResult {
  /** responses holds each complete message, interim ones included. */
  responses: ParsedResponse[];
  /** rest holds bytes after the last complete message. */
  rest: Buffer;
  /** error names a framing fault in the server's bytes, if any. */
  error?: string;
}

export interface ParseOptions {
  /** methods gives the request method for each final response, in order; "HEAD" means no body. */
  methods?: string[];
  /** eof says the server has closed, which ends a body without framing. */
  eof?: boolean;
}

const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");

/** parseResponses splits `data` into response messages; see ParseResult. */
export function parseResponses(data: Buffer, options: ParseOptions = {}): ParseResult {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  let finals = 0;
  while (pos < data.length) {
    const headEnd = data.indexOf(HEAD_END, pos);
    if (headEnd === -1) break;
    const head = data.subarray(pos, headEnd).toString("latin1");
    const lines = head.split("\r\n");
    const statusLine = lines[0] ?? "";
    const match = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(statusLine);
    if (!match) return { responses, rest: data.subarray(pos), error: `bad status line ${JSON.stringify(statusLine)}` };
    const headers: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) return { responses, rest: data.subarray(pos), error: `bad field line ${JSON.stringify(line)}` };
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    }
    const status = Number(match[2]);
    const make = (body: Buffer, chunked: boolean, trailers: Array<[string, string]> = []) =>
      new ParsedResponse(statusLine, match[1], status, match[3] ?? "", headers, body, chunked, trailers);
    let cursor = headEnd + 4;
    const interim = status >= 100 && status < 200;
    const method = interim ? undefined : options.methods?.[finals];
    const noBody = interim || status === 204 || status === 304 || method === "HEAD";
    const te = headers.filter(([n]) => n === "transfer-encoding").map(([, v]) => v.toLowerCase()).join(",");
    const cl = headers.find(([n]) => n === "content-length")?.[1];
    let response: ParsedResponse;
    if (noBody) {
      response = make(Buffer.alloc(0), false);
    } else if (te !== "") {
      if (!/(^|,)\s*chunked\s*$/.test(te)) return { responses, rest: data.subarray(pos), error: `unframed transfer-encoding ${te}` };
      const decoded = decodeChunked(data, cursor);
      if (decoded === "incomplete") break;
      if (typeof decoded === "string") return { responses, rest: data.subarray(pos), error: decoded };
      cursor = decoded.end;
      response = make(decoded.body, true, decoded.trailers);
    } else if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) return { responses, rest: data.subarray(pos), error: `bad content-length ${cl}` };
      const length = Number(cl);
      if (data.length - cursor < length) break;
      response = make(data.subarray(cursor, cursor + length), false);
      cursor += length;
    } else {
      if (!options.eof) break;
      response = make(data.subarray(cursor), false);
      cursor = data.length;
    }
    responses.push(response);
    if (!interim) finals++;
    pos = cursor;
  }
  return { responses, rest: data.subarray(pos) };
}

interface Decoded {
  body: Buffer;
  trailers: Array<[string, string]>;
  end: number;
}

/** decodeChunked reads a chunked body at `start`; "incomplete" or an error text when it cannot. */
export function decodeChunked(data: Buffer, start: number): Decoded | "incomplete" | string {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = data.indexOf(CRLF, pos);
    if (lineEnd === -1) return "incomplete";
    const sizeText = data.subarray(pos, lineEnd).toString("latin1").split(";")[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return `bad chunk size ${JSON.stringify(sizeText)}`;
    const size = parseInt(sizeText, 16);
    pos = lineEnd + 2;
    if (size === 0) {
      const trailers: Array<[string, string]> = [];
      for (;;) {
        const end = data.indexOf(CRLF, pos);
        if (end === -1) return "incomplete";
        const line = data.subarray(pos, end).toString("latin1");
        pos = end + 2;
        if (line === "") return { body: Buffer.concat(parts), trailers, end: pos };
        const colon = line.indexOf(":");
        trailers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
      }
    }
    if (data.length < pos + size + 2) return "incomplete";
    parts.push(data.subarray(pos, pos + size));
    if (data[pos + size] !== 0x0d || data[pos + size + 1] !== 0x0a) return "chunk data not followed by CRLF";
    pos += size + 2;
  }
}

/** ChunkedCounter counts the data bytes of a chunked body fed in pieces, keeping little memory. */
export class ChunkedCounter {
  bytes = 0;
  done = false;
  #line = "";
  #remaining = 0; // data bytes left in the current chunk
  #state: "size" | "data" | "data-crlf" | "trailer" = "size";
  #crlfLeft = 0;

  /** push feeds bytes; it returns the index just past the body when the body ends, else -1. */
  push(buf: Buffer): number {
    let i = 0;
    while (i < buf.length && !this.done) {
      switch (this.#state) {
        case "size": {
          const byte = buf[i++];
          if (byte === 0x0a) {
            const size = parseInt(this.#line.replace(/\r$/, "").split(";")[0].trim(), 16);
            if (Number.isNaN(size)) throw new Error(`bad chunk size line ${JSON.stringify(this.#line)}`);
            this.#line = "";
            if (size === 0) this.#state = "trailer";
            else {
              this.#remaining = size;
              this.#state = "data";
            }
          } else {
            this.#line += String.fromCharCode(byte);
            if (this.#line.length > 1024) throw new Error("chunk size line too long");
          }
          break;
        }
        case "data": {
          const take = Math.min(this.#remaining, buf.length - i);
          this.bytes += take;
          this.#remaining -= take;
          i += take;
          if (this.#remaining === 0) {
            this.#state = "data-crlf";
            this.#crlfLeft = 2;
          }
          break;
        }
        case "data-crlf":
          i++;
          if (--this.#crlfLeft === 0) this.#state = "size";
          break;
        case "trailer": {
          const byte = buf[i++];
          if (byte === 0x0a) {
            if (this.#line.replace(/\r$/, "") === "") this.done = true;
            this.#line = "";
          } else this.#line += String.fromCharCode(byte);
          break;
        }
      }
    }
    return this.done ? i : -1;
  }
}
