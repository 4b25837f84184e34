// The HTTP/1.1 response writer: it writes a planned, framed response (see response-plan.ts and
// response-head.ts) in one write when the body is known when the head is (a string or bytes:
// joined as text, or copied behind the head's octets), or the head and then a body pumped with
// backpressure for streams.
import type { BodyReader, Exchange } from "./exchange.js";
import { serializeHead, type Framing } from "./response-head.js";
import { cancelBody } from "./body-reader.js";
import type { ResponsePlan } from "./response-plan.js";
import { STATUS_TEXT } from "./status-text.js";
import { httpDate } from "./http-date.js";

/** ResponseSink is the part of a connection a response is written to. */
export interface ResponseSink {
  readonly closed: boolean;
  /** write queues bytes (see SocketWriter): `owned` bytes are the writer's to keep; `written` runs once lent ones are free. */
  write(data: Uint8Array, written?: () => void, owned?: boolean): boolean;
  /** writeUtf8 queues text sent UTF-8 encoded (an ASCII head and a string body), joined with the tick's other text. */
  writeUtf8(text: string): boolean;
  waitDrain(): Promise<void>;
  finishResponse(exchange: Exchange): void;
  reportError(err: unknown, exchange: Exchange | null): void;
  destroy(): void;
}

const JOIN_LIMIT = 16 * 1024; // bodies up to this size are copied behind the head: one buffer, one write
const CRLF = Buffer.from("\r\n");
const LAST_CHUNK = Buffer.from("0\r\n\r\n");

/** errorResponse builds the complete answer to a protocol error; it never echoes request bytes. */
export function errorResponse(status: number, code: string): string {
  const body = `${status} ${STATUS_TEXT[status] ?? "Error"} (${code})\n`;
  return (
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n` +
    `Date: ${httpDate()}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** writeResponse writes a whole response for an exchange and calls sink.finishResponse when done. */
export function writeResponse(sink: ResponseSink, ex: Exchange, plan: ResponsePlan, framing: Framing): void {
  const res = plan.response;
  const { head, ascii } = serializeHead(res.status, res.statusText, res.headers, framing, res.trusted === true);
  const body = res.body;
  ex.responseStarted = true;
  ex.status = res.status;
  if (!plan.sendBody || body === null) {
    cancelBody(body);
    writeHead(sink, head, ascii);
    return sink.finishResponse(ex);
  }
  if (typeof body === "string" || body instanceof Uint8Array) {
    ex.bodyBytes = plan.length;
    if (typeof body === "string" && ascii) sink.writeUtf8(head + body);
    else if (typeof body === "string" || body.byteLength <= JOIN_LIMIT) sink.write(joined(head, body, plan.length), undefined, true);
    else {
      writeHead(sink, head, ascii);
      sink.write(body);
    }
    return sink.finishResponse(ex);
  }
  writeHead(sink, head, ascii);
  void pump(sink, ex, body, framing);
}

/** writeHead queues a head alone: as text when it is ASCII, else as its latin1 octets. */
function writeHead(sink: ResponseSink, head: string, ascii: boolean): void {
  if (ascii) sink.writeUtf8(head);
  else sink.write(Buffer.from(head, "latin1"), undefined, true);
}

/** joined encodes the head (latin1: one byte per char) and a known body into one buffer. */
function joined(head: string, body: string | Uint8Array | null, bodyLength: number): Buffer {
  const out = Buffer.allocUnsafe(head.length + bodyLength);
  out.write(head, 0, "latin1");
  if (typeof body === "string") out.write(body, head.length, "utf8");
  else if (body !== null) out.set(body, head.length);
  return out;
}

/** pump copies a streamed body to the socket, waiting for 'drain' so a slow reader bounds memory. */
async function pump(sink: ResponseSink, ex: Exchange, reader: BodyReader, framing: Framing): Promise<void> {
  let sent = 0;
  ex.addAbortListener(() => cancelBody(reader));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (sink.closed) return cancelBody(reader);
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("response body chunks must be Uint8Array");
      if (value.byteLength === 0) continue;
      sent += value.byteLength;
      ex.bodyBytes = sent;
      if (framing.contentLength >= 0 && sent > framing.contentLength) {
        throw new RangeError("response body is longer than its Content-Length");
      }
      const written = reader.recycle !== undefined ? (): void => reader.recycle!(value) : undefined;
      const ok = framing.chunked ? writeChunk(sink, value, written) : sink.write(value, written);
      if (!ok) await sink.waitDrain();
    }
    if (framing.contentLength >= 0 && sent !== framing.contentLength) {
      throw new RangeError("response body is shorter than its Content-Length");
    }
    if (framing.chunked) sink.write(LAST_CHUNK, undefined, true);
    sink.finishResponse(ex);
  } catch (err) {
    // The head is out, so the framing cannot be mended: report, and cut the connection.
    cancelBody(reader);
    if (!ex.aborted) sink.reportError(err, ex);
    sink.destroy();
  }
}

/** writeChunk frames one chunk (RFC 9112 §7.1); the writer joins the pieces of small ones into one write. */
function writeChunk(sink: ResponseSink, chunk: Uint8Array, written: (() => void) | undefined): boolean {
  sink.write(Buffer.from(`${chunk.byteLength.toString(16)}\r\n`, "latin1"), undefined, true);
  const ok = sink.write(chunk, written);
  return sink.write(CRLF, undefined, true) && ok;
}
