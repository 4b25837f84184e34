// The response writer: chooses the framing of a response (RFC 9112 §6.3 and §7), writes its head,
// then its body: in one write for strings and bytes, or pumped with backpressure for streams.
import type { BodyReader, Exchange, OutgoingResponse } from "./exchange.js";
import { bodyForbidden, headerValue, serializeHead, type Framing } from "./response-head.js";
import { STATUS_TEXT } from "./status-text.js";
import { httpDate } from "./http-date.js";

/** ResponseSink is the part of a connection a response is written to. */
export interface ResponseSink {
  closing: boolean;
  readonly closed: boolean;
  /** write queues data; `written`, for bytes, runs once the socket no longer needs them (see SocketWriter). */
  write(data: string | Uint8Array, encoding?: BufferEncoding, written?: () => void): boolean;
  waitDrain(): Promise<void>;
  finishResponse(exchange: Exchange): void;
  reportError(err: unknown, exchange: Exchange | null): void;
  destroy(): void;
}

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
export function writeResponse(sink: ResponseSink, ex: Exchange, res: OutgoingResponse): void {
  const { status, body } = res;
  if (!Number.isInteger(status) || status < 200 || status > 999) {
    throw new RangeError(`response status ${status} is not a final status code`);
  }
  const head = ex.head;
  const noContent = bodyForbidden(status);
  const omitBody = noContent || head.method === "HEAD";
  if (connectionClose(res.headers)) sink.closing = true;

  let length = -1;
  if (body === null) length = 0;
  else if (typeof body === "string") length = Buffer.byteLength(body);
  else if (body instanceof Uint8Array) length = body.byteLength;
  else length = res.bodyLength >= 0 ? res.bodyLength : declaredLength(res.headers);

  const framing: Framing = { contentLength: length, chunked: false, connection: "" };
  if (noContent) {
    // RFC 9110 §8.6: no Content-Length in 1xx/204; a 304 may repeat the length of the selected representation.
    framing.contentLength = status === 304 ? declaredLength(res.headers) : -1;
  } else if (body === null && head.method === "HEAD") {
    // A HEAD answer without a body (Hono's, say) does not know the length: say only what the app declared.
    framing.contentLength = declaredLength(res.headers);
  } else if (length < 0) {
    if (head.versionMinor === 1) framing.chunked = true;
    else sink.closing = true; // HTTP/1.0: the body ends when the connection does
  }
  if (sink.closing) framing.connection = "close";
  else if (head.versionMinor === 0) framing.connection = "keep-alive";

  const { head: text, latin1 } = serializeHead(status, res.statusText, res.headers, framing, res.trusted === true);
  ex.responseStarted = true;
  ex.status = status;
  if (omitBody || body === null) {
    if (body !== null && typeof body === "object" && !(body instanceof Uint8Array)) cancel(body);
    sink.write(text, latin1 ? "latin1" : "utf8");
    return sink.finishResponse(ex);
  }
  if (typeof body === "string") {
    ex.bodyBytes = length;
    if (latin1) {
      sink.write(text, "latin1");
      sink.write(body, "utf8");
    } else {
      sink.write(text + body, "utf8");
    }
    return sink.finishResponse(ex);
  }
  sink.write(text, latin1 ? "latin1" : "utf8");
  if (body instanceof Uint8Array) {
    ex.bodyBytes = length;
    sink.write(body);
    return sink.finishResponse(ex);
  }
  void pump(sink, ex, body, framing);
}

/** pump copies a streamed body to the socket, waiting for 'drain' so a slow reader bounds memory. */
async function pump(sink: ResponseSink, ex: Exchange, reader: BodyReader, framing: Framing): Promise<void> {
  let sent = 0;
  ex.addAbortListener(() => cancel(reader));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (sink.closed) return cancel(reader);
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("response body chunks must be Uint8Array");
      if (value.byteLength === 0) continue;
      sent += value.byteLength;
      ex.bodyBytes = sent;
      if (framing.contentLength >= 0 && sent > framing.contentLength) {
        throw new RangeError("response body is longer than its Content-Length");
      }
      const written = reader.recycle !== undefined ? (): void => reader.recycle!(value) : undefined;
      const ok = framing.chunked ? writeChunk(sink, value, written) : sink.write(value, undefined, written);
      if (!ok) await sink.waitDrain();
    }
    if (framing.contentLength >= 0 && sent !== framing.contentLength) {
      throw new RangeError("response body is shorter than its Content-Length");
    }
    if (framing.chunked) sink.write("0\r\n\r\n");
    sink.finishResponse(ex);
  } catch (err) {
    // The head is out, so the framing cannot be mended: report, and cut the connection.
    cancel(reader);
    if (!ex.aborted) sink.reportError(err, ex);
    sink.destroy();
  }
}

function writeChunk(sink: ResponseSink, chunk: Uint8Array, written: (() => void) | undefined): boolean {
  sink.write(`${chunk.byteLength.toString(16)}\r\n`);
  const ok = sink.write(chunk, undefined, written);
  return sink.write("\r\n") && ok;
}

function cancel(reader: BodyReader): void {
  try {
    void Promise.resolve(reader.cancel()).catch(() => {});
  } catch {
    // a reader that throws on cancel has nothing left to release
  }
}

function connectionClose(headers: readonly string[]): boolean {
  const value = headerValue(headers, "connection");
  return value !== undefined && /(^|,)\s*close\s*(,|$)/i.test(value);
}

/** declaredLength reads an app-supplied Content-Length, or -1 when absent or not 1*DIGIT. */
function declaredLength(headers: readonly string[]): number {
  const value = headerValue(headers, "content-length");
  if (value === undefined || !/^[0-9]{1,15}$/.test(value.trim())) return -1;
  return Number(value.trim());
}
