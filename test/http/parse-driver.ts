// A test driver for RequestParser: feeds chunks as a connection would (reset after each message)
// and records what the parser reported, so tables can compare whole-input and split-input runs.
import { defaultLimits, resolveLimits, type Limits } from "../../src/http/limits.js";
import { isProtocolError } from "../../src/http/protocol-error.js";
import type { Http1Head } from "../../src/http/request-head.js";
import { RequestParser } from "../../src/http/request-parser.js";

export interface ParsedMessage {
  method: string;
  target: string;
  version: string;
  headers: string[];
  body: string;
  trailers: string[];
  keepAlive: boolean;
  complete: boolean;
}

export interface ParseOutcome {
  messages: ParsedMessage[];
  /** error is "status code" of the ProtocolError that stopped the parse, or null. */
  error: string | null;
}

/** parseChunks runs a fresh parser over the chunks in order. */
export function parseChunks(chunks: Buffer[], limits: Partial<Limits> = {}): ParseOutcome {
  const messages: ParsedMessage[] = [];
  let current: ParsedMessage | null = null;
  let body: Buffer[] = [];
  const parser = new RequestParser(resolveLimits({ ...defaultLimits, ...limits }), {
    onHead(head: Http1Head) {
      current = {
        method: head.method,
        target: head.path,
        version: `1.${head.versionMinor}`,
        headers: head.headers,
        body: "",
        trailers: [],
        keepAlive: head.keepAlive,
        complete: false,
      };
      body = [];
      messages.push(current);
    },
    onBody(chunk) {
      body.push(Buffer.from(chunk));
    },
    onComplete(trailers) {
      current!.body = Buffer.concat(body).toString("latin1");
      current!.trailers = trailers;
      current!.complete = true;
    },
  });
  try {
    for (const chunk of chunks) {
      let i = 0;
      while (i < chunk.length) {
        if (parser.upgraded) return { messages, error: null };
        if (parser.complete) parser.reset();
        i = parser.execute(chunk, i);
      }
    }
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    return { messages, error: `${err.status} ${err.code}` };
  }
  const last = messages[messages.length - 1] as ParsedMessage | undefined;
  if (last !== undefined && !last.complete) last.body = Buffer.concat(body).toString("latin1");
  return { messages, error: null };
}

/** splits yields the input whole, split in two at every index, and one byte at a time. */
export function* splits(input: Buffer): Generator<[string, Buffer[]]> {
  yield ["whole", [input]];
  for (let i = 1; i < input.length; i++) yield [`split@${i}`, [input.subarray(0, i), input.subarray(i)]];
  const bytes: Buffer[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  yield ["bytewise", bytes];
}
