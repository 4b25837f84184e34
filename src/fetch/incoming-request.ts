// IncomingRequest: the Request a handler receives. It is built lazily from the engine's Exchange:
// headers, body stream, signal and URL cost nothing until read, and a real undici Request is made
// only for the rare members that need one (clone, cache, mode, ...).
import type { Exchange } from "../http/exchange.js";
import { joinedFieldValue, joinedFieldValues } from "../http/fields.js";
import { NativeResponse } from "./light-response.js";

const decoder = new TextDecoder();

/** Origin tells how to rebuild a request's URL when it named no authority (an HTTP/1.0 request without Host). */
export interface Origin {
  defaultAuthority(exchange: Exchange): string;
}

/**
 * requestUrl reconstructs the target URI from the scheme, authority and path of any protocol
 * (RFC 9110 §7.1; for HTTP/1.1's four target forms, RFC 9112 §3.3).
 */
export function requestUrl(ex: Exchange, origin: Origin): string {
  const { scheme, authority, path, method } = ex.head;
  const host = authority !== "" ? authority : origin.defaultAuthority(ex);
  if (path.charCodeAt(0) === 0x2f) return `${scheme}://${host}${path}`;
  if (path === "*") return `${scheme}://${host}/*`;
  if (method === "CONNECT") return `${scheme}://${path}/`; // authority-form
  return path; // absolute-form
}

/** IncomingRequest behaves as a Request; `request instanceof Request` is true. */
export class IncomingRequest {
  readonly #exchange: Exchange;
  #origin: Origin;
  #url: string | null = null;
  #headers: Headers | null = null;
  #stream: ReadableStream<Uint8Array> | null = null;
  #controller: AbortController | null = null;
  #real: Request | null = null;
  #used = false;
  /** params holds decoded route parameters (set by the router). */
  params: Record<string, string> = {};

  constructor(exchange: Exchange, origin: Origin) {
    this.#exchange = exchange;
    this.#origin = origin;
  }

  /**
   * exchangeOf returns the exchange a request of this server arrived as, or null for any other
   * Request. It is how the layers above the bridge (CGI, the WebSocket hub, the server) reach
   * the protocol-neutral head, the peer, and the engine's upgrade.
   */
  static exchangeOf(request: Request): Exchange | null {
    return request instanceof IncomingRequest ? request.#exchange : null;
  }

  get method(): string {
    return this.#exchange.head.method;
  }

  get url(): string {
    return (this.#url ??= requestUrl(this.#exchange, this.#origin));
  }

  get headers(): Headers {
    if (this.#headers === null) {
      const fields = this.#exchange.head.headers;
      const headers = new Headers();
      for (let i = 0; i < fields.length; i += 2) headers.append(fields[i], fields[i + 1]);
      this.#headers = headers;
    }
    return this.#headers;
  }

  /** header reads one field (repeats joined with ", ") without building a Headers object. */
  header(lowerName: string): string | null {
    if (this.#headers !== null) return this.#headers.get(lowerName);
    return joinedFieldValue(this.#exchange.head.headers, lowerName);
  }

  /** headerList reads several fields in one pass over the header list, in the order of lowerNames. */
  headerList(lowerNames: readonly string[]): (string | null)[] {
    const headers = this.#headers;
    if (headers !== null) return lowerNames.map((name) => headers.get(name));
    return joinedFieldValues(this.#exchange.head.headers, lowerNames);
  }

  get signal(): AbortSignal {
    if (this.#controller === null) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#exchange.aborted) controller.abort();
      else this.#exchange.addAbortListener(() => controller.abort());
    }
    return this.#controller.signal;
  }

  get body(): ReadableStream<Uint8Array> | null {
    const source = this.#exchange.body;
    if (source === null) return null;
    if (this.#stream === null) {
      this.#stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const chunk = await source.read();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        },
        cancel() {
          source.discard();
        },
      }, { highWaterMark: 0 });
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream !== null && this.#stream.locked);
  }

  get duplex(): "half" {
    return "half";
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async text(): Promise<string> {
    return decoder.decode(await this.#consume());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    const bytes = await this.#consume();
    return new Blob([bytes], { type: this.headers.get("content-type") ?? "" });
  }

  async formData(): Promise<FormData> {
    const bytes = await this.#consume();
    const type = this.headers.get("content-type") ?? "";
    return new NativeResponse(bytes, { headers: { "content-type": type } }).formData();
  }

  clone(): Request {
    return this.toRequest().clone();
  }

  /** toRequest makes (once) a real undici Request with the same method, URL, headers and body. */
  toRequest(): Request {
    if (this.#real === null) {
      const body = this.body;
      this.#real = new Request(this.url, {
        method: this.method,
        headers: this.headers,
        signal: this.signal,
        ...(body !== null ? { body, duplex: "half" } : {}),
      });
    }
    return this.#real;
  }

  async #consume(): Promise<Uint8Array> {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    const source = this.#exchange.body;
    if (source === null) return new Uint8Array(0);
    if (this.#stream !== null) {
      const parts: Uint8Array[] = [];
      for await (const chunk of this.#stream as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
      return Buffer.concat(parts);
    }
    const parts: Uint8Array[] = [];
    for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) parts.push(chunk);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}

/** exchangeOf returns the exchange behind a request this server received, or null (see IncomingRequest.exchangeOf). */
export function exchangeOf(request: Request): Exchange | null {
  return IncomingRequest.exchangeOf(request);
}

/** requestPath returns the raw (still percent-encoded) path of a request, without building a URL. */
export function requestPath(request: Request): string {
  const ex = exchangeOf(request);
  if (ex !== null) {
    const target = ex.head.path;
    if (target.charCodeAt(0) === 0x2f) {
      const q = target.indexOf("?");
      return q === -1 ? target : target.slice(0, q);
    }
  }
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return "/";
  const end = url.search(/[?#]/);
  return end === -1 || end < start ? url.slice(start) : url.slice(start, end);
}

/** requestHeader reads a request field by lowercase name, cheaply for sockserve's own requests. */
export function requestHeader(request: Request, lowerName: string): string | null {
  return request instanceof IncomingRequest ? request.header(lowerName) : request.headers.get(lowerName);
}

/** requestHeaderList reads several request fields by lowercase name, in one pass for sockserve's own requests. */
export function requestHeaderList(request: Request, lowerNames: readonly string[]): (string | null)[] {
  if (request instanceof IncomingRequest) return request.headerList(lowerNames);
  return lowerNames.map((name) => request.headers.get(name));
}

// Members a handler rarely needs come from a real Request, made on first use.
for (const name of ["cache", "credentials", "destination", "integrity", "keepalive", "mode", "redirect", "referrer", "referrerPolicy", "isHistoryNavigation", "isReloadNavigation"]) {
  Object.defineProperty(IncomingRequest.prototype, name, {
    get(this: IncomingRequest) {
      return (this.toRequest() as unknown as Record<string, unknown>)[name];
    },
    configurable: true,
  });
}
Object.setPrototypeOf(IncomingRequest.prototype, Request.prototype);
