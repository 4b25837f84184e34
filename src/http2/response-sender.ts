// Sending a response on an HTTP/2 stream (RFC 9113 §8.1): the shared plan, then HEADERS, then the
// body as DATA through the connection's scheduler; streamed bodies are pumped with backpressure
// (the pump waits while the stream's queue is full, and the queue drains only as windows open).
import type { BodyReader } from "../http/body-reader.js";
import { cancelBody } from "../http/body-reader.js";
import type { OutgoingResponse } from "../http/exchange.js";
import { planResponse } from "../http/response-plan.js";
import type { H2Stream } from "./h2-stream.js";
import { responseFields } from "./message.js";

/** ResponseHost is what sending a response needs of the connection. */
export interface ResponseHost {
  readonly closed: boolean;
  /** sendHeaders encodes `fields` and writes HEADERS (+ CONTINUATION) on the stream. */
  sendHeaders(stream: H2Stream, fields: readonly string[], endStream: boolean): void;
  /** ready hands the stream to the DATA scheduler. */
  ready(stream: H2Stream): void;
  /** fail resets a stream whose response broke after its head went out, and reports why. */
  fail(stream: H2Stream, err: unknown): void;
}

/**
 * sendResponse writes `res` on `stream`. Bad statuses and fields throw before anything is sent
 * (the fetch bridge turns that into a 500); connection-specific fields are dropped.
 */
export function sendResponse(host: ResponseHost, stream: H2Stream, res: OutgoingResponse): void {
  const ex = stream.exchange!;
  const plan = planResponse(ex.head.method, res);
  const fields = responseFields(res.status, res.headers, plan.length, res.trusted === true);
  const body = plan.sendBody ? res.body : null;
  if (body !== res.body) cancelBody(res.body);
  ex.responseStarted = true;
  ex.status = res.status;
  const empty = body === null || (typeof body !== "object" && body.length === 0) || (body instanceof Uint8Array && body.byteLength === 0);
  host.sendHeaders(stream, fields, empty);
  if (empty) return;
  if (typeof body === "string") stream.queue(Buffer.from(body));
  else if (body instanceof Uint8Array) stream.queue(body);
  else return void pump(host, stream, body, plan.length);
  stream.outEnd = true;
  host.ready(stream);
}

/** pump copies a streamed body into the stream's queue, waiting while the queue is full. */
async function pump(host: ResponseHost, stream: H2Stream, reader: BodyReader, length: number): Promise<void> {
  const ex = stream.exchange!;
  ex.addAbortListener(() => cancelBody(reader));
  let sent = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (host.closed || stream.reset) return cancelBody(reader);
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("response body chunks must be Uint8Array");
      sent += value.byteLength;
      if (length >= 0 && sent > length) throw new RangeError("response body is longer than its Content-Length");
      stream.queue(value, reader.recycle === undefined ? undefined : () => reader.recycle!(value));
      host.ready(stream);
      if (stream.full) await stream.drained();
      if (host.closed || stream.reset) return cancelBody(reader);
    }
    if (length >= 0 && sent !== length) throw new RangeError("response body is shorter than its Content-Length");
    stream.outEnd = true;
    host.ready(stream);
  } catch (err) {
    cancelBody(reader);
    host.fail(stream, err);
  }
}
