// Http1Head: the request-line and header section of one HTTP/1.x request (RFC 9112 §3 and §5),
// built line by line by HeadBuilder, which also decides the body framing (RFC 9112 §6).
import { HOST, isToken, TARGET, TOKEN } from "./chars.js";
import { listTokens, parseLength } from "./fields.js";
import { latin1, parseFieldLine } from "./field-line.js";
import type { RequestHead } from "./exchange.js";
import type { Limits } from "./limits.js";
import { ProtocolError } from "./protocol-error.js";

/** Http1Head is an HTTP/1.x request's head: the shared RequestHead plus what only HTTP/1.1 framing needs. */
export interface Http1Head extends RequestHead {
  /** versionMinor is 0 for HTTP/1.0 and 1 for HTTP/1.1. */
  versionMinor: 0 | 1;
  chunked: boolean;
  /** keepAlive tells whether the connection may persist after this exchange (RFC 9112 §9.3). */
  keepAlive: boolean;
  expectContinue: boolean;
  /** upgrade is the Upgrade field value when Connection lists "upgrade", otherwise "". */
  upgrade: string;
}

const SP = 0x20;

/** HeadBuilder collects lines of a header section and turns them into an Http1Head. */
export class HeadBuilder {
  #limits: Limits;
  #scheme: string;
  #head: Http1Head;
  #hostCount = 0;
  #contentLengths: string[] = [];
  #transferEncodings: string[] = [];
  #connection = "";
  #expect: string | undefined = undefined;
  #upgradeValue = "";

  /** scheme is the connection's ("https" over TLS); absolute-form targets keep their own in the URL. */
  constructor(limits: Limits, scheme = "http") {
    this.#limits = limits;
    this.#scheme = scheme;
    this.#head = emptyHead(scheme);
  }

  /** requestLine parses `method SP request-target SP HTTP-version` from buf[start, end) (CRLF excluded). */
  requestLine(buf: Uint8Array, start: number, end: number): void {
    const [methodEnd, targetEnd] = checkRequestLinePrefix(buf, start, end);
    if (targetEnd === -1) throw new ProtocolError(400, "HTTP_INVALID_TARGET", "malformed request-target");
    if (end - (targetEnd + 1) !== 8) throw new ProtocolError(400, "HTTP_INVALID_REQUEST_LINE", "malformed HTTP-version");
    const method = latin1(buf, start, methodEnd);
    const requestTarget = latin1(buf, methodEnd + 1, targetEnd);
    this.#head.method = method;
    this.#head.path = requestTarget;
    const minor = buf[end - 1] === 0x31 ? 1 : 0;
    this.#head.versionMinor = minor;
    this.#head.protocol = minor === 1 ? "HTTP/1.1" : "HTTP/1.0";
    checkTargetForm(method, requestTarget);
  }

  /** fieldLine parses one field line from buf[start, end) (CRLF excluded) into the head. */
  fieldLine(buf: Uint8Array, start: number, end: number): void {
    const headers = this.#head.headers;
    parseFieldLine(buf, start, end, headers);
    if (headers.length > this.#limits.maxHeaderCount * 2) {
      throw new ProtocolError(431, "HTTP_TOO_MANY_HEADERS", "too many header fields");
    }
    this.#noteField(headers[headers.length - 2], headers[headers.length - 1]);
  }

  /** finish validates the whole section, settles framing and returns the head; the builder is then reset. */
  finish(): Http1Head {
    const head = this.#head;
    if (head.versionMinor === 1 && this.#hostCount !== 1) {
      // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host or with more than one.
      throw new ProtocolError(400, "HTTP_MISSING_HOST", "HTTP/1.1 request needs exactly one Host field");
    }
    if (this.#hostCount > 1) throw new ProtocolError(400, "HTTP_MISSING_HOST", "more than one Host field");
    this.#settleFraming(head);
    this.#settleConnection(head);
    this.#reset();
    return head;
  }

  #noteField(name: string, value: string): void {
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === "host") {
          this.#hostCount++;
          checkHost(value);
          this.#head.authority = value;
        }
        return;
      case 6:
        if (name.toLowerCase() === "expect") this.#expect = value;
        return;
      case 7:
        if (name.toLowerCase() === "upgrade") this.#upgradeValue = value;
        return;
      case 10:
        if (name.toLowerCase() === "connection") {
          this.#connection = this.#connection === "" ? value : `${this.#connection}, ${value}`;
        }
        return;
      case 14:
        if (name.toLowerCase() === "content-length") {
          this.#contentLengths.push(value);
          parseContentLength(this.#contentLengths); // refuse bad or differing values as soon as they arrive
        }
        return;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") this.#transferEncodings.push(value);
        return;
    }
  }

  #settleFraming(head: Http1Head): void {
    const te = this.#transferEncodings;
    const cl = this.#contentLengths;
    if (te.length > 0) {
      if (cl.length > 0) {
        // RFC 9112 §6.1: TE with CL "ought to be handled as an error"; this is the classic smuggling vector.
        throw new ProtocolError(400, "HTTP_CONTENT_LENGTH_WITH_TRANSFER_ENCODING", "both Content-Length and Transfer-Encoding");
      }
      if (head.versionMinor === 0) {
        // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
        throw new ProtocolError(400, "HTTP_INVALID_TRANSFER_ENCODING", "Transfer-Encoding in an HTTP/1.0 request");
      }
      head.chunked = parseTransferCoding(te);
      return;
    }
    if (cl.length > 0) {
      const length = parseContentLength(cl);
      if (length > this.#limits.maxBodySize) {
        throw new ProtocolError(413, "HTTP_BODY_TOO_LARGE", "request body exceeds maxBodySize");
      }
      head.contentLength = length;
    }
  }

  #settleConnection(head: Http1Head): void {
    const options = this.#connection === "" ? [] : listTokens(this.#connection);
    const close = options.includes("close");
    head.keepAlive = head.versionMinor === 1 ? !close : !close && options.includes("keep-alive");
    if (options.includes("upgrade") && this.#upgradeValue !== "") head.upgrade = this.#upgradeValue;
    if (this.#expect !== undefined) {
      // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
      if (this.#expect.toLowerCase() !== "100-continue") {
        throw new ProtocolError(417, "HTTP_EXPECTATION_FAILED", "unsupported expectation");
      }
      head.expectContinue = head.versionMinor === 1;
    }
  }

  #reset(): void {
    this.#head = emptyHead(this.#scheme);
    this.#hostCount = 0;
    this.#contentLengths = [];
    this.#transferEncodings = [];
    this.#connection = "";
    this.#expect = undefined;
    this.#upgradeValue = "";
  }
}

function emptyHead(scheme: string): Http1Head {
  return {
    method: "",
    scheme,
    authority: "",
    path: "",
    protocol: "HTTP/1.1",
    versionMinor: 1,
    headers: [],
    contentLength: -1,
    chunked: false,
    keepAlive: true,
    expectContinue: false,
    upgrade: "",
  };
}

/**
 * checkRequestLinePrefix validates `method SP request-target SP HTTP-version` as far as it goes,
 * so a line split across reads is refused at the same byte, with the same status, as a whole one.
 * It returns where the method and the target end (-1 when not reached yet).
 */
export function checkRequestLinePrefix(buf: Uint8Array, start: number, end: number): [number, number] {
  let i = start;
  while (i < end && TOKEN[buf[i]] === 1) i++;
  if (i === end) return [-1, -1];
  if (i === start || buf[i] !== SP) throw new ProtocolError(400, "HTTP_INVALID_METHOD", "malformed method in request-line");
  const methodEnd = i;
  const targetStart = ++i;
  while (i < end && TARGET[buf[i]] === 1) i++;
  if (i === end) return [methodEnd, -1];
  if (i === targetStart || buf[i] !== SP) throw new ProtocolError(400, "HTTP_INVALID_TARGET", "malformed request-target");
  checkVersionPrefix(buf, i + 1, end);
  return [methodEnd, i];
}

const VERSION_PREFIX = Buffer.from("HTTP/1.1");

/**
 * checkVersionPrefix refuses the start of something that can no longer become
 * `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 §2.3): `HTTP/01.1`, `HTTP/11` and
 * `HTTP/1.10` are 400. A well-formed version other than 1.0 or 1.1 is 505 as soon as its
 * eight bytes are in, whatever follows, so a split line gets the same status as a whole one.
 */
export function checkVersionPrefix(buf: Uint8Array, start: number, end: number): void {
  for (let i = start; i < Math.min(end, start + 8); i++) {
    const k = i - start;
    const b = buf[i];
    const ok = k === 5 || k === 7 ? b >= 0x30 && b <= 0x39 : b === VERSION_PREFIX[k];
    if (!ok) throw new ProtocolError(400, "HTTP_INVALID_REQUEST_LINE", "malformed HTTP-version");
  }
  if (end - start >= 8 && (buf[start + 5] !== 0x31 || buf[start + 7] > 0x31)) {
    throw new ProtocolError(505, "HTTP_VERSION_NOT_SUPPORTED", "only HTTP/1.0 and HTTP/1.1 are supported");
  }
  if (end - start > 8) throw new ProtocolError(400, "HTTP_INVALID_REQUEST_LINE", "malformed HTTP-version");
}

/** checkTargetForm enforces the four request-target forms of RFC 9112 §3.2. */
function checkTargetForm(method: string, target: string): void {
  const first = target.charCodeAt(0);
  if (method === "CONNECT") {
    // authority-form only: host ":" port
    const colon = target.lastIndexOf(":");
    if (first === 0x2f || colon <= 0 || !/^[0-9]{1,5}$/.test(target.slice(colon + 1))) {
      throw new ProtocolError(400, "HTTP_INVALID_TARGET", "CONNECT needs an authority-form target");
    }
    return;
  }
  if (first === 0x2f) return; // origin-form
  if (target === "*") {
    if (method === "OPTIONS") return; // asterisk-form
    throw new ProtocolError(400, "HTTP_INVALID_TARGET", "asterisk-form is only for OPTIONS");
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]/.test(target)) {
    throw new ProtocolError(400, "HTTP_INVALID_TARGET", "malformed request-target");
  }
}

function checkHost(value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff || HOST[c] === 0) throw new ProtocolError(400, "HTTP_INVALID_HOST", "invalid Host field value");
  }
}

/** parseContentLength accepts 1*DIGIT, repeated only with the same value (RFC 9110 §8.6). */
export function parseContentLength(values: string[]): number {
  let length = -1;
  for (const field of values) {
    for (const item of field.split(",")) {
      const n = parseLength(item);
      if (n < 0) throw new ProtocolError(400, "HTTP_INVALID_CONTENT_LENGTH", "Content-Length is not 1*DIGIT");
      if (length !== -1 && n !== length) {
        throw new ProtocolError(400, "HTTP_INVALID_CONTENT_LENGTH", "differing Content-Length values");
      }
      length = n;
    }
  }
  return length;
}

/**
 * parseTransferCoding accepts exactly one `chunked`, as the final coding (RFC 9112 §6.1, §7).
 * `chunked` anywhere but last leaves the body length unknowable: RFC 9112 §6.3 says the server
 * MUST respond 400 and close. Any other coding is not understood here: 501, as §6.1 advises.
 */
export function parseTransferCoding(values: string[]): boolean {
  const codings: string[] = [];
  const names: string[] = [];
  for (const field of values) {
    for (const item of field.split(",")) {
      const coding = item.trim().toLowerCase();
      if (coding === "") continue;
      const name = coding.split(";")[0].trim();
      if (!isToken(name)) {
        throw new ProtocolError(400, "HTTP_INVALID_TRANSFER_ENCODING", "malformed transfer coding");
      }
      codings.push(coding);
      names.push(name);
    }
  }
  if (codings.length === 0) throw new ProtocolError(400, "HTTP_INVALID_TRANSFER_ENCODING", "empty Transfer-Encoding");
  const chunkedAt = names.indexOf("chunked");
  if (chunkedAt !== names.lastIndexOf("chunked")) {
    // chunked MUST NOT be applied more than once (RFC 9112 §7).
    throw new ProtocolError(400, "HTTP_INVALID_TRANSFER_ENCODING", "chunked applied more than once");
  }
  if (chunkedAt !== -1 && chunkedAt !== names.length - 1) {
    throw new ProtocolError(400, "HTTP_INVALID_TRANSFER_ENCODING", "chunked is not the final transfer coding");
  }
  for (const coding of codings) {
    if (coding !== "chunked") {
      throw new ProtocolError(501, "HTTP_UNSUPPORTED_TRANSFER_ENCODING", "transfer coding not implemented");
    }
  }
  return true;
}
