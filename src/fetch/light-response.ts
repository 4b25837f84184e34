// LightResponse: a WHATWG Response look-alike that keeps string and byte bodies as they are, so the
// server can write them without undici's stream machinery. serve() installs it as the global
// Response unless `overrideGlobalResponse: false`; see docs/architecture.md for the trade-off.
import { isToken } from "../http/chars.js";
import type { BodyReader } from "../http/exchange.js";

type HeadersInit = ConstructorParameters<typeof Headers>[0];
type BodyInit = ConstructorParameters<typeof Response>[0];
type ResponseInit = NonNullable<ConstructorParameters<typeof Response>[1]>;

/**
 * NativeResponse is Node's own (undici's) Response class, captured before `serve()` installs
 * {@link LightResponse} as `globalThis.Response`. Use it when an API needs the real thing.
 *
 * @example
 * ```ts
 * import { NativeResponse, serve } from "sockserve";
 *
 * await serve({ port: 0, fetch: () => new NativeResponse("from undici's Response") });
 * ```
 */
export const NativeResponse: typeof Response = globalThis.Response;

/** ReaderBody is a body of known length that the server streams from a BodyReader, opened only when sent. */
export class ReaderBody {
  constructor(
    readonly open: () => BodyReader,
    readonly length: number,
  ) {}
}

type Source = null | string | Uint8Array | Blob | ReadableStream<Uint8Array> | ReaderBody;

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;
const decoder = new TextDecoder();

/**
 * LightResponse is sockserve's Response look-alike, installed by `serve()` as
 * `globalThis.Response` unless `overrideGlobalResponse: false`. It behaves as Response for every
 * method and getter, `instanceof Response` holds both ways, and string and byte bodies are kept
 * as they are so the server writes them without streams.
 *
 * @example
 * ```ts
 * import { LightResponse, serve } from "sockserve";
 *
 * await serve({ port: 0, fetch: () => new Response("hi") }); // installs LightResponse
 * const res = new Response("hello");
 * console.log(LightResponse.isLight(res), res instanceof Response); // true true
 * ```
 */
export class LightResponse {
  #source: Source;
  #contentType: string | null;
  #status: number;
  #statusText: string;
  #headersInit: HeadersInit | undefined;
  #headers: Headers | null = null;
  #flat: readonly string[] | null = null; // trusted [name, value, ...] from sockserve's own handlers
  #stream: ReadableStream<Uint8Array> | null = null;
  #used = false;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    const status = init?.status ?? 200;
    if (init !== undefined) checkInit(status, init.statusText);
    const [source, contentType] = extract(body);
    if (source !== null && NULL_BODY_STATUS.has(status)) {
      throw new TypeError(`Response constructor: Invalid response status code ${status}`);
    }
    this.#source = source;
    this.#contentType = contentType;
    this.#status = status;
    this.#statusText = init?.statusText ?? "";
    this.#headersInit = init?.headers;
    const headersInit = this.#headersInit;
    if (headersInit === undefined) return;
    if (Array.isArray(headersInit)) checkPairs(headersInit);
    else if (isPlainRecord(headersInit)) checkRecord(headersInit as Record<string, string>);
    else void this.headers; // validates now, as Response does
  }

  static json(data: unknown, init?: ResponseInit): Response {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Response.json: the data is not JSON serializable");
    const res = new LightResponse(text, init);
    res.#contentType = "application/json";
    if (res.#headers !== null && !res.#headers.has("content-type")) res.#headers.set("content-type", "application/json");
    return res;
  }

  static redirect(url: string | URL, status?: number): Response {
    return NativeResponse.redirect(url, status as Parameters<typeof Response.redirect>[1]);
  }

  static error(): Response {
    return NativeResponse.error();
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof NativeResponse;
  }

  /** isLight tells a LightResponse from a native Response (instanceof cannot: it accepts both). */
  static isLight(value: unknown): value is LightResponse {
    return typeof value === "object" && value !== null && #status in value;
  }

  get type(): Response["type"] {
    return "default";
  }
  get url(): string {
    return "";
  }
  get redirected(): boolean {
    return false;
  }
  get status(): number {
    return this.#status;
  }
  get ok(): boolean {
    return this.#status >= 200 && this.#status <= 299;
  }
  get statusText(): string {
    return this.#statusText;
  }

  get headers(): Headers {
    if (this.#headers === null) {
      const flat = this.#flat;
      const init = flat === null ? this.#headersInit : Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as [string, string]);
      const headers = new Headers(init);
      if (this.#contentType !== null && !headers.has("content-type")) headers.set("content-type", this.#contentType);
      this.#headers = headers;
    }
    return this.#headers;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === null && this.#source !== null) {
      const source = this.#source;
      this.#stream = source instanceof ReadableStream ? source : toStream(source);
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    if (this.#stream !== null && this.#stream !== this.#source) return this.#used || isDisturbed(this.#stream);
    if (this.#source instanceof ReadableStream) return this.#used || isDisturbed(this.#source);
    return this.#used;
  }

  async text(): Promise<string> {
    const source = this.#take();
    if (typeof source === "string") return source;
    return decoder.decode(await collect(source));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await collect(this.#take());
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    const bytes = await collect(this.#take());
    return new Blob([bytes], { type: this.headers.get("content-type") ?? "" });
  }

  async formData(): Promise<FormData> {
    const bytes = await collect(this.#take());
    return new NativeResponse(bytes, { headers: this.headers }).formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
    let source: Source = this.#stream ?? this.#source;
    if (source instanceof ReaderBody) source = toStream(source);
    if (source instanceof ReadableStream) {
      const [a, b] = source.tee();
      this.#source = a;
      this.#stream = a;
      source = b;
    }
    const copy = new LightResponse(null, { status: 200 });
    copy.#source = source;
    copy.#contentType = this.#contentType;
    copy.#status = this.#status;
    copy.#statusText = this.#statusText;
    copy.#headersInit = this.#headers !== null ? new Headers(this.#headers) : this.#headersInit;
    return copy;
  }

  /**
   * trusted makes a LightResponse from parts the caller has already checked: the bytes are not
   * copied and the header pairs are not validated. For sockserve's own handlers only.
   */
  static trusted(status: number, headers: [string, string][], body: Uint8Array | string | ReaderBody | null, statusText = ""): Response {
    const res = new LightResponse(null);
    res.#status = status;
    res.#statusText = statusText;
    res.#headersInit = headers;
    res.#source = body;
    return res;
  }

  /** trustedFlat is trusted() with the fields already flat, [name, value, ...], kept as they are. */
  static trustedFlat(status: number, flat: readonly string[], body: Uint8Array | string | ReaderBody | null, statusText = ""): Response {
    const res = new LightResponse(null);
    res.#status = status;
    res.#statusText = statusText;
    res.#flat = flat;
    res.#source = body;
    return res;
  }

  /**
   * fieldOf reads one response field (lower-case name; repeats joined with ", ") without building a
   * Headers object, so a wrapper such as compress() can look at a response cheaply.
   */
  static fieldOf(res: LightResponse, lowerName: string): string | null {
    if (res.#headers !== null) return res.#headers.get(lowerName);
    const init = res.#flat ?? res.#headersInit;
    let out: string | null = null;
    const add = (name: string, value: string): void => {
      if (name.length === lowerName.length && name.toLowerCase() === lowerName) out = out === null ? value : `${out}, ${value}`;
    };
    if (init instanceof Headers) return init.get(lowerName);
    if (res.#flat !== null) for (let i = 0; i < res.#flat.length; i += 2) add(res.#flat[i], res.#flat[i + 1]);
    else if (Array.isArray(init)) for (const [name, value] of init as [string, string][]) add(name, String(value));
    else if (init !== undefined) for (const name in init) add(name, String((init as Record<string, string>)[name]));
    return out ?? (lowerName === "content-type" ? res.#contentType : null);
  }

  /** bodyLength is the body's size in bytes when it is known without reading it, else -1. */
  static bodyLength(res: LightResponse): number {
    const source = res.#stream ?? res.#source;
    if (source === null) return 0;
    if (typeof source === "string") return Buffer.byteLength(source);
    if (source instanceof Uint8Array) return source.byteLength;
    if (source instanceof Blob) return source.size;
    return source instanceof ReaderBody ? source.length : -1;
  }

  /** rawParts is the server's fast path: status, text, header source and body without copies. */
  static rawParts(res: LightResponse): RawParts {
    res.#used = true;
    return {
      status: res.#status,
      statusText: res.#statusText,
      flat: res.#headers === null ? res.#flat : null,
      headers: res.#headers ?? res.#headersInit,
      contentType: res.#contentType,
      body: res.#stream ?? res.#source,
    };
  }

  #take(): Exclude<Source, Blob | ReaderBody> {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    const source = this.#stream ?? this.#source;
    if (source === null) return null; // a null body is never "used" (Fetch §5: body is null)
    this.#used = true;
    if (source instanceof Blob || source instanceof ReaderBody) return toStream(source);
    return source;
  }
}

Object.setPrototypeOf(LightResponse.prototype, NativeResponse.prototype);
Object.defineProperty(LightResponse, "name", { value: "Response" });

/** RawParts is what the writer needs of a LightResponse. */
export interface RawParts {
  status: number;
  statusText: string;
  /** flat holds trusted, already validated fields; when set, `headers` is not used. */
  flat: readonly string[] | null;
  headers: HeadersInit | Headers | undefined;
  contentType: string | null;
  body: Source;
}

/** extract turns a BodyInit into the kept source and its implied Content-Type (Fetch §6.4 "extract a body"). */
function extract(body: BodyInit | null | undefined): [Source, string | null] {
  if (body === null || body === undefined) return [null, null];
  if (typeof body === "string") return [body, "text/plain;charset=UTF-8"];
  if (body instanceof Uint8Array) return [new Uint8Array(body), null];
  if (body instanceof ArrayBuffer) return [new Uint8Array(body.slice(0)), null];
  if (ArrayBuffer.isView(body)) {
    return [new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)), null];
  }
  if (body instanceof Blob) return [body, body.type === "" ? null : body.type];
  if (body instanceof URLSearchParams) return [body.toString(), "application/x-www-form-urlencoded;charset=UTF-8"];
  if (body instanceof ReadableStream) return [body as ReadableStream<Uint8Array>, null];
  if (body instanceof FormData) {
    const native = new NativeResponse(body);
    return [native.body, native.headers.get("content-type")];
  }
  return [String(body), "text/plain;charset=UTF-8"];
}

function checkInit(status: number, statusText: string | undefined): void {
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new RangeError('init["status"] must be in the range of 200 to 599, inclusive.');
  }
  if (statusText !== undefined && !REASON_PHRASE.test(statusText)) throw new TypeError("Invalid statusText");
}

function isPlainRecord(init: HeadersInit): boolean {
  const proto = Object.getPrototypeOf(init) as unknown;
  return proto === Object.prototype || proto === null;
}

const VALUE_RE = /^[^\0\r\n]*$/;

function checkRecord(record: Record<string, string>): void {
  for (const name in record) {
    if (!isToken(name)) throw new TypeError(`Headers.append: "${name}" is an invalid header name.`);
    if (!VALUE_RE.test(String(record[name]))) throw new TypeError(`Headers.append: "${record[name]}" is an invalid header value.`);
  }
}

function checkPairs(pairs: string[][]): void {
  for (const pair of pairs) {
    if (pair.length !== 2) throw new TypeError("Headers constructor: expected name/value pair to be length 2.");
    checkRecord({ [String(pair[0])]: String(pair[1]) });
  }
}

function toStream(source: string | Uint8Array | Blob | ReaderBody): ReadableStream<Uint8Array> {
  if (source instanceof Blob) return source.stream() as ReadableStream<Uint8Array>;
  if (source instanceof ReaderBody) {
    const reader = source.open();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else if (value !== undefined) controller.enqueue(value);
      },
      cancel: () => void reader.cancel(),
    });
  }
  const bytes = typeof source === "string" ? Buffer.from(source) : source;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(new Uint8Array(bytes));
      controller.close();
    },
  });
}

function isDisturbed(stream: ReadableStream): boolean {
  return stream.locked;
}

async function collect(source: Exclude<Source, Blob | ReaderBody>): Promise<Uint8Array> {
  if (source === null) return new Uint8Array(0);
  if (typeof source === "string") return Buffer.from(source);
  if (source instanceof Uint8Array) return source;
  const parts: Uint8Array[] = [];
  for await (const chunk of source as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
  return Buffer.concat(parts);
}
